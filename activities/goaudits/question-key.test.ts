import { createHash } from 'node:crypto';
import { questionKey } from './question-key';

describe('questionKey', () => {
  it('uses QUESTION_ID, trimmed, over the text', () => {
    expect(questionKey(' 42 ', 'Whatever')).toBe('42');
    expect(questionKey(7, 'Whatever')).toBe('7');
    expect(questionKey(0, 'Whatever')).toBe('0');
  });

  it.each([undefined, null, '', '   '])('slugs the text when QUESTION_ID is %j', (questionId) => {
    expect(questionKey(questionId, 'Site Name?')).toBe('site_name');
  });

  it.each([
    ['Is the  boiler -- serviced?', 'is_the_boiler_serviced'],
    ['  (Leading) and trailing!! ', 'leading_and_trailing'],
    ['Room 2B: Fire-Door', 'room_2b_fire_door'],
    ['Café crème', 'caf_cr_me'],
    ['already_snake', 'already_snake'],
  ])('slugs %j as %j', (text, expected) => {
    expect(questionKey(undefined, text)).toBe(expected);
  });

  it.each([
    [undefined, undefined],
    [null, null],
    ['', ''],
    [' ', '  '],
    [undefined, '?!? ...'],
  ])('gives no key for id %j and text %j', (questionId, text) => {
    expect(questionKey(questionId, text)).toBeNull();
  });

  it('keeps a 256-character slug whole', () => {
    expect(questionKey(undefined, 'a'.repeat(256))).toBe('a'.repeat(256));
  });

  it('cuts a longer slug to 215 characters, "_" and the 40 hex digits of its SHA-1, as the legacy job did', () => {
    const slug = `${'word '.repeat(80)}end`.trim().replace(/ /g, '_');
    const hash = createHash('sha1').update(slug).digest('hex');
    const key = questionKey(undefined, `${'Word '.repeat(80)}end?`);
    expect(key).toBe(`${slug.slice(0, 215)}_${hash}`);
    expect(key).toHaveLength(256);
  });

  it('keeps long texts that differ only at the end apart', () => {
    const base = 'x'.repeat(300);
    expect(questionKey(undefined, `${base} one`)).not.toBe(questionKey(undefined, `${base} two`));
  });
});
