import { GoAuditsError } from './errors';
import { normaliseSummary } from './summary';
import { summaryFingerprint } from './summary-fingerprint';

const reportOf = (id: string, completedAtUtc: string) => ({
  id,
  completedAtUtc,
  summaryFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
});

describe('normaliseSummary', () => {
  it('reads ID and Updated_On as UTC and passes other fields by', () => {
    const result = normaliseSummary([{ ID: ' A1 ', Updated_On: '2025-03-04 05:06:07', Store: 'x' }]);
    expect(result).toEqual({ reports: [reportOf('A1', '2025-03-04T05:06:07Z')], fetched: 1, skipped: 0, skippedBy: {} });
  });

  it('stringifies numeric ids', () => {
    const { reports } = normaliseSummary([{ ID: 12345, Updated_On: '2025-01-01 00:00:00' }]);
    expect(reports).toEqual([reportOf('12345', '2025-01-01T00:00:00Z')]);
  });

  it.each([
    ['missing', {}],
    ['null', { ID: null }],
    ['empty', { ID: '' }],
    ['whitespace', { ID: '   ' }],
    ['of another type', { ID: true }],
  ])('skips rows whose id is %s', (_label, row) => {
    const result = normaliseSummary([{ ...row, Updated_On: '2025-01-01 00:00:00' }]);
    expect(result).toEqual({ reports: [], fetched: 1, skipped: 1, skippedBy: { 'no id': 1 } });
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['a number', 1735689600],
    ['not a time', 'yesterday'],
    ['a date only', '2025-01-01'],
    ['with an offset', '2025-01-01T00:00:00+01:00'],
    ['not a real date', '2025-02-30 00:00:00'],
    ['not a real time', '2025-01-01 24:00:00'],
  ])('skips rows whose Updated_On is %s', (_label, updatedOn) => {
    const result = normaliseSummary([{ ID: 'A', Updated_On: updatedOn }]);
    expect(result).toEqual({ reports: [], fetched: 1, skipped: 1, skippedBy: { 'no Updated_On': 1 } });
  });

  it('skips rows that are not objects', () => {
    expect(normaliseSummary([null, 'A', 7, ['A']])).toEqual({ reports: [], fetched: 4, skipped: 4, skippedBy: { 'no id': 4 } });
  });

  it('skips rows whose id cannot fit GoAuditsReportId (100 characters), and keeps one that just fits', () => {
    const result = normaliseSummary([
      { ID: 'A'.repeat(101), Updated_On: '2025-01-01 00:00:00' },
      { ID: 'B'.repeat(100), Updated_On: '2025-01-01 00:00:00' },
    ]);
    expect(result).toEqual({
      reports: [reportOf('B'.repeat(100), '2025-01-01T00:00:00Z')],
      fetched: 2,
      skipped: 1,
      skippedBy: { 'id over 100 characters': 1 },
    });
  });

  it('treats ids that differ only by case as one report, as SQL Server keys do, keeping the first spelling', () => {
    const { reports } = normaliseSummary([
      { ID: 'ab12', Updated_On: '2025-01-01 00:00:00' },
      { ID: 'AB12', Updated_On: '2025-01-01 00:00:05' },
    ]);
    expect(reports).toEqual([reportOf('ab12', '2025-01-01T00:00:05Z')]);
  });

  it.each([
    ['2025-06-01T10:20:30', '2025-06-01T10:20:30Z'],
    ['2025-06-01T10:20:30Z', '2025-06-01T10:20:30Z'],
    ['2025-06-01T10:20:30.999Z', '2025-06-01T10:20:30Z'],
    ['2025-06-01T10:20:30.5', '2025-06-01T10:20:30Z'],
    [' 2024-02-29 23:59:59 ', '2024-02-29T23:59:59Z'],
  ])('accepts %j as %s (whole seconds)', (updatedOn, expected) => {
    const { reports } = normaliseSummary([{ ID: 'A', Updated_On: updatedOn }]);
    expect(reports).toEqual([reportOf('A', expected)]);
  });

  it('de-duplicates by id, keeps the latest time and the order of first appearance', () => {
    const result = normaliseSummary([
      { ID: 'A', Updated_On: '2025-01-01 10:00:00' },
      { ID: 'B', Updated_On: '2025-01-02 10:00:00' },
      { ID: 'A', Updated_On: '2025-01-03 10:00:00' },
      { ID: 'B', Updated_On: '2025-01-01 10:00:00' },
      { ID: ' A', Updated_On: '2025-01-02 10:00:00' },
    ]);
    expect(result).toEqual({
      reports: [reportOf('A', '2025-01-03T10:00:00Z'), reportOf('B', '2025-01-02T10:00:00Z')],
      fetched: 5,
      skipped: 0,
      skippedBy: {},
    });
  });

  it('treats a numeric id and its text as the same report', () => {
    const { reports } = normaliseSummary([
      { ID: 7, Updated_On: '2025-01-01 00:00:00' },
      { ID: '7', Updated_On: '2025-01-01 00:00:01' },
    ]);
    expect(reports).toEqual([reportOf('7', '2025-01-01T00:00:01Z')]);
  });

  it('returns nothing for an empty array', () => {
    expect(normaliseSummary([])).toEqual({ reports: [], fetched: 0, skipped: 0, skippedBy: {} });
  });

  it.each([
    [{ data: [] }, 'object'],
    [null, 'null'],
    ['[]', 'string'],
  ])('throws bad-response when the body is not an array (%j)', (body, type) => {
    expect(() => normaliseSummary(body)).toThrow(GoAuditsError);
    expect(() => normaliseSummary(body)).toThrow(
      expect.objectContaining({
        kind: 'bad-response',
        endpoint: 'summary',
        message: expect.stringMatching(new RegExp(`expected a JSON array.*got ${type}$`)),
      }),
    );
  });

  it('fingerprints each report from all of its rows, other fields included', () => {
    const rows = [
      { ID: 'A', Updated_On: '2025-01-01 00:00:00', Score: 80 },
      { ID: 'B', Updated_On: '2025-01-01 00:00:00', Score: 80 },
      { ID: 'a', Updated_On: '2025-01-01 00:00:05', Score: 80 },
    ];
    const [a, b] = normaliseSummary(rows).reports;
    expect(a.summaryFingerprint).toBe(summaryFingerprint([rows[0], rows[2]]));
    expect(b.summaryFingerprint).toBe(summaryFingerprint([rows[1]]));
    const rescored = normaliseSummary([{ ...rows[1], Score: 90 }]).reports[0];
    expect(rescored.summaryFingerprint).not.toBe(b.summaryFingerprint);
  });
});
