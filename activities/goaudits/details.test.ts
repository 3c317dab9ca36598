import { GoAuditsError } from './errors';
import { parseReportDetails } from './details';

/** A Detail row with the fields GoAudits sends. */
function detail(fields: Record<string, unknown>): Record<string, unknown> {
  return { RecordType: 'Detail', QUESTION_ID: '', Question: '', Answer: '', Section: '', GroupName: 'N/A', ...fields };
}

describe('parseReportDetails', () => {
  it('reads one answer per Detail row', () => {
    const result = parseReportDetails('R1', [
      detail({ QUESTION_ID: '10', Question: 'Site name', Answer: 'Leeds', Section: 'General', GroupName: 'Site' }),
    ]);
    expect(result).toEqual({
      reportId: 'R1',
      answers: [{ questionKey: '10', answerValue: 'Leeds', section: 'General | Site', questionText: 'Site name' }],
      certificateNumber: null,
      hasDetailRows: true,
    });
  });

  it('ignores rows of other record types', () => {
    const result = parseReportDetails('R1', [
      { RecordType: 'Header', QUESTION_ID: '1', Question: 'Certificate Number', Answer: 'HDR' },
      { RecordType: 'Summary', Score: 90 },
      detail({ QUESTION_ID: '2', Question: 'Q', Answer: 'yes' }),
    ]);
    expect(result.answers.map((answer) => answer.questionKey)).toEqual(['2']);
    expect(result.certificateNumber).toBeNull();
  });

  it.each([
    ['an empty array', []],
    ['no Detail rows', [{ RecordType: 'Header', ID: 'R1' }]],
  ])('has no answers and hasDetailRows false for %s', (_label, body) => {
    expect(parseReportDetails('R1', body)).toEqual({
      reportId: 'R1',
      answers: [],
      certificateNumber: null,
      hasDetailRows: false,
    });
  });

  it('keys by the slugged question text when QUESTION_ID is missing or blank', () => {
    const result = parseReportDetails('R1', [
      detail({ QUESTION_ID: undefined, Question: 'Gas Safe No.?', Answer: '123' }),
      detail({ QUESTION_ID: '  ', Question: 'Boiler make', Answer: 'Worcester' }),
    ]);
    expect(result.answers.map((answer) => answer.questionKey)).toEqual(['gas_safe_no', 'boiler_make']);
  });

  it('skips a Detail row with neither id nor text, but still counts it as a Detail row', () => {
    const result = parseReportDetails('R1', [detail({ QUESTION_ID: null, Question: null, Answer: 'orphan' })]);
    expect(result.answers).toEqual([]);
    expect(result.hasDetailRows).toBe(true);
  });

  it('keys a long question text by a 256-character slug with a hash suffix', () => {
    const result = parseReportDetails('R1', [detail({ Question: `${'Very long question '.repeat(20)}?`, Answer: 'a' })]);
    const [answer] = result.answers;
    expect(answer?.questionKey).toHaveLength(256);
    expect(answer?.questionKey).toMatch(/^very_long_question_very_long_question_.*_[0-9a-f]{40}$/);
  });

  it('keeps the first row of a duplicate key', () => {
    const result = parseReportDetails('R1', [
      detail({ QUESTION_ID: '5', Question: 'First', Answer: 'one' }),
      detail({ QUESTION_ID: '5', Question: 'Second', Answer: 'two' }),
      detail({ Question: 'Same text', Answer: 'three' }),
      detail({ Question: 'same  TEXT', Answer: 'four' }),
    ]);
    expect(result.answers.map(({ questionKey, answerValue }) => [questionKey, answerValue])).toEqual([
      ['5', 'one'],
      ['same_text', 'three'],
    ]);
  });

  describe('answer values', () => {
    it.each([
      ['a string as it is', '  spaced  ', '  spaced  '],
      ['an empty string', '', ''],
      ['a number', 12.5, '12.5'],
      ['zero', 0, '0'],
      ['a boolean', false, 'false'],
      ['an object as JSON', { a: 1, b: [true, null] }, '{"a":1,"b":[true,null]}'],
      ['an array as JSON', ['x', 2], '["x",2]'],
      ['null', null, null],
      ['a missing answer', undefined, null],
    ])('stores %s', (_label, value, expected) => {
      const [answer] = parseReportDetails('R1', [detail({ QUESTION_ID: '3', Answer: value })]).answers;
      expect(answer?.answerValue).toBe(expected);
    });

    it('stores null for a row without the Answer field, as JSON sends it', () => {
      const { Answer: _none, ...row } = detail({ QUESTION_ID: '3' });
      const [answer] = parseReportDetails('R1', JSON.parse(JSON.stringify([row]))).answers;
      expect(answer).toMatchObject({ questionKey: '3', answerValue: null });
    });

    it('keeps answers longer than 4000 characters whole', () => {
      const long = 'x'.repeat(10_000);
      const [text, json] = parseReportDetails('R1', [
        detail({ QUESTION_ID: '3', Answer: long }),
        detail({ QUESTION_ID: '4', Answer: { notes: long } }),
      ]).answers;
      expect(text?.answerValue).toBe(long);
      expect(json?.answerValue).toBe(JSON.stringify({ notes: long }));
    });
  });

  describe('sections', () => {
    it.each([
      ['Section and GroupName', 'Boiler', 'Flue', 'Boiler | Flue'],
      ['GroupName "N/A"', 'Boiler', 'N/A', 'Boiler'],
      ['an empty GroupName', 'Boiler', '', 'Boiler'],
      ['a missing GroupName', 'Boiler', undefined, 'Boiler'],
      ['GroupName only', undefined, 'Flue', 'Flue'],
      ['a blank Section', '  ', 'Flue', 'Flue'],
      ['nothing', null, 'N/A', null],
      ['nothing at all', undefined, undefined, null],
      ['padded values', ' Boiler ', ' Flue ', 'Boiler | Flue'],
    ])('reads %s', (_label, section, groupName, expected) => {
      const [answer] = parseReportDetails('R1', [detail({ QUESTION_ID: '3', Section: section, GroupName: groupName })]).answers;
      expect(answer?.section).toBe(expected);
    });

    it('cuts the section to 200 characters', () => {
      const [answer] = parseReportDetails('R1', [
        detail({ QUESTION_ID: '3', Section: 's'.repeat(150), GroupName: 'g'.repeat(150) }),
      ]).answers;
      expect(answer?.section).toBe(`${'s'.repeat(150)} | ${'g'.repeat(47)}`);
    });

    it('does not leave half a surrogate pair when cutting', () => {
      const [answer] = parseReportDetails('R1', [detail({ QUESTION_ID: '3', Section: `${'s'.repeat(199)}😀` })]).answers;
      expect(answer?.section).toBe('s'.repeat(199));
    });
  });

  describe('question text', () => {
    it('is trimmed and cut to 1000 characters', () => {
      const [answer] = parseReportDetails('R1', [detail({ QUESTION_ID: '3', Question: ` ${'q'.repeat(1500)}` })]).answers;
      expect(answer?.questionText).toBe('q'.repeat(1000));
    });

    it.each([null, undefined, '', '  '])('is null when Question is %j', (question) => {
      const [answer] = parseReportDetails('R1', [detail({ QUESTION_ID: '3', Question: question })]).answers;
      expect(answer?.questionText).toBeNull();
    });
  });

  describe('certificate number', () => {
    it('is the answer to question "1", trimmed', () => {
      const result = parseReportDetails('R1', [
        detail({ QUESTION_ID: '2', Question: 'Certificate Number (old)', Answer: 'BY-TEXT' }),
        detail({ QUESTION_ID: '1', Question: 'Reference', Answer: '  MCS-123  ' }),
      ]);
      expect(result.certificateNumber).toBe('MCS-123');
    });

    it('accepts a numeric QUESTION_ID 1', () => {
      expect(parseReportDetails('R1', [detail({ QUESTION_ID: 1, Answer: 987 })]).certificateNumber).toBe('987');
    });

    it('is otherwise the answer to the first question naming "Certificate Number", in any case', () => {
      const result = parseReportDetails('R1', [
        detail({ QUESTION_ID: '7', Question: 'Installer', Answer: 'Acme' }),
        detail({ QUESTION_ID: '8', Question: 'MCS certificate NUMBER:', Answer: 'CERT-8' }),
        detail({ QUESTION_ID: '9', Question: 'Certificate number (copy)', Answer: 'CERT-9' }),
      ]);
      expect(result.certificateNumber).toBe('CERT-8');
    });

    it('falls back to the text match when question "1" is blank', () => {
      const result = parseReportDetails('R1', [
        detail({ QUESTION_ID: '1', Question: 'Reference', Answer: '   ' }),
        detail({ QUESTION_ID: '8', Question: 'Certificate Number', Answer: 'CERT-8' }),
      ]);
      expect(result.certificateNumber).toBe('CERT-8');
    });

    it('skips text matches with blank answers', () => {
      const result = parseReportDetails('R1', [
        detail({ QUESTION_ID: '8', Question: 'Certificate Number', Answer: null }),
        detail({ QUESTION_ID: '9', Question: 'Certificate Number (again)', Answer: 'CERT-9' }),
      ]);
      expect(result.certificateNumber).toBe('CERT-9');
    });

    it.each([
      ['blank', '   '],
      ['empty', ''],
      ['null', null],
    ])('is null when the answer is %s', (_label, value) => {
      const result = parseReportDetails('R1', [detail({ QUESTION_ID: '1', Answer: value })]);
      expect(result.certificateNumber).toBeNull();
      expect(result.answers).toHaveLength(1);
    });

    it('is null when no question matches', () => {
      expect(parseReportDetails('R1', [detail({ QUESTION_ID: '2', Question: 'Site', Answer: 'x' })]).certificateNumber).toBeNull();
    });

    it('is cut to 100 characters (CertificationNumber is nvarchar(100))', () => {
      const result = parseReportDetails('R1', [detail({ QUESTION_ID: '1', Answer: 'c'.repeat(150) })]);
      expect(result.certificateNumber).toBe('c'.repeat(100));
    });
  });

  describe('bad responses', () => {
    function badResponse(message: RegExp) {
      return expect.objectContaining({ kind: 'bad-response', endpoint: 'details', message: expect.stringMatching(message) });
    }

    it.each([
      [{ rows: [] }, /expected a JSON array.*got object$/],
      [null, /got null$/],
    ])('throws when the body is not an array (%j)', (body, message) => {
      expect(() => parseReportDetails('R1', body)).toThrow(GoAuditsError);
      expect(() => parseReportDetails('R1', body)).toThrow(badResponse(message));
    });

    it.each([
      [null, 'null'],
      ['Detail', 'string'],
      [[detail({})], 'array'],
    ])('throws naming the index when a row is not an object (%j)', (row, type) => {
      const body = [detail({ QUESTION_ID: '1' }), row];
      expect(() => parseReportDetails('R1', body)).toThrow(badResponse(new RegExp(`row 1 is ${type}, not an object`)));
    });

    it.each([
      ['Question', { Question: 12 }],
      ['QUESTION_ID', { QUESTION_ID: { id: 1 } }],
      ['Section', { Section: ['a'] }],
      ['GroupName', { GroupName: false }],
    ])('throws naming the index and field when a Detail row has a wrong %s', (field, fields) => {
      const body = [detail({ QUESTION_ID: '1' }), { RecordType: 'Other', Question: 12 }, detail(fields)];
      expect(() => parseReportDetails('R1', body)).toThrow(badResponse(new RegExp(`row 2 \\(Detail\\) is malformed: ${field}:`)));
    });
  });
});
