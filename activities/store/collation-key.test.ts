import { collationKey, firstPerCollationKey, inCollationOrder } from './collation-key';

describe('collation keys', () => {
  it('makes keys one that SQL Server compares as one: case and trailing spaces do not count', () => {
    expect(new Set(['Q1', 'q1', 'Q1 ', 'q1   '].map(collationKey)).size).toBe(1);
    expect(collationKey('Straße')).toBe(collationKey('STRASSE'));
  });

  it('keeps apart what SQL Server keeps apart: leading spaces, other characters, accents', () => {
    expect(new Set([' Q1', 'Q1', 'Q1\t', 'Q2', 'É1', 'E1'].map(collationKey)).size).toBe(6);
  });

  it('keeps the first item of each key, in input order', () => {
    const answers = [
      { key: 'Temp', value: 'first' },
      { key: 'Hygiene', value: 'a' },
      { key: 'TEMP', value: 'second' },
      { key: 'temp ', value: 'third' },
    ];
    expect(firstPerCollationKey(answers, (answer) => answer.key)).toEqual([
      { key: 'Temp', value: 'first' },
      { key: 'Hygiene', value: 'a' },
    ]);
  });

  it('orders keys as the collation does, whatever their case, and the same way every time', () => {
    expect(inCollationOrder(['b', 'C', 'a', 'B'], (id) => id)).toEqual(['a', 'B', 'b', 'C']);
    expect(inCollationOrder(['B', 'b', 'C', 'a'], (id) => id)).toEqual(['a', 'B', 'b', 'C']);
  });
});
