import { createHash } from 'node:crypto';
import { generateDataset, type ApiRow, type Dataset, type TruthReport } from './dataset';
import { slugKey } from './questionKey';

const SPEC = { reports: 300, from: '2025-01-01', to: '2025-01-14', seed: 1 };
const ALL = { startDate: SPEC.from, endDate: SPEC.to, status: 'Completed' };
const UPDATED_ON = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

const dataset = generateDataset(SPEC);
const truth = dataset.truth().reports;
const summary = dataset.summaryRows(ALL);
const isAudit = (row: ApiRow): boolean => typeof row.ID === 'string' && row.ID.trim() !== '' && UPDATED_ON.test(String(row.Updated_On));
const detailsOf = (d: Dataset, reports: TruthReport[]) => reports.map((report) => ({ report, rows: d.detailsRows(report.id) }));
const details = detailsOf(dataset, truth);
const detailRows = details.flatMap(({ rows }) => rows.filter((row) => row.RecordType === 'Detail'));
const count = <T>(items: T[], predicate: (item: T) => boolean): number => items.filter(predicate).length;

/** Asserts that each report's truth is what the pipeline's rules make of its raw details rows. */
function expectTruthFromRows(pairs: { report: TruthReport; rows: ApiRow[] }[]): void {
  const sectionOf = (row: ApiRow) =>
    row.Section === undefined ? null : row.GroupName === undefined || row.GroupName === 'N/A' ? row.Section : `${row.Section} | ${row.GroupName}`;
  const valueOf = (answer: ApiRow['Answer']) =>
    answer === null || typeof answer === 'string' ? answer : typeof answer === 'object' ? JSON.stringify(answer) : String(answer);
  for (const { report, rows } of pairs) {
    const expected = new Map<string, unknown>();
    for (const row of rows.filter((r) => r.RecordType === 'Detail')) {
      const key = (row.QUESTION_ID as string | undefined) ?? slugKey(String(row.Question));
      if (expected.has(key)) continue;
      const question = row.Question as string | undefined;
      expected.set(key, { questionKey: key, answerValue: valueOf(row.Answer), section: sectionOf(row), questionText: question?.slice(0, 1000) ?? null });
    }
    expect(report.answers).toEqual([...expected.values()]);
    expect(report.hasDetails).toBe(expected.size > 0);
    const certificate = rows.find((row) => row.RecordType === 'Detail' && (row.QUESTION_ID === '1' || String(row.Question).includes('Certificate Number')));
    expect(report.certificateNumber).toBe(String(certificate?.Answer ?? '').trim() || null);
  }
}

describe('generateDataset', () => {
  test('is deterministic for a seed and differs across seeds', () => {
    const again = generateDataset(SPEC);
    expect(again.summaryRows(ALL)).toEqual(summary);
    expect(again.truth()).toEqual(dataset.truth());
    expect(detailsOf(again, truth)).toEqual(details);
    expect(generateDataset({ ...SPEC, seed: 2 }).summaryRows(ALL)).not.toEqual(summary);
  });

  test('ids are unique; the range edges and shared seconds are covered', () => {
    const ids = truth.map((report) => report.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain('A000001');
    const times = truth.map((report) => report.completedAtUtc);
    expect(times).toContain('2025-01-01T00:00:00Z');
    expect(times).toContain('2025-01-14T23:59:59Z');
    expect(times.every((time) => time >= '2025-01-01T00:00:00Z' && time <= '2025-01-14T23:59:59Z')).toBe(true);
    expect(times.length - new Set(times).size).toBeGreaterThanOrEqual(3);
  });

  test('summary rows: duplicates per audit, junk rows, other statuses kept out', () => {
    const copies = new Map<string, ApiRow[]>();
    for (const row of summary.filter(isAudit)) copies.set(row.ID as string, [...(copies.get(row.ID as string) ?? []), row]);
    const sizes = [...copies.values()].map((rows) => rows.length);
    expect(count(sizes, (n) => n === 2)).toBeGreaterThanOrEqual(3);
    expect(count(sizes, (n) => n === 3)).toBeGreaterThanOrEqual(3);
    for (const rows of copies.values()) expect(new Set(rows.map((row) => row.Updated_On)).size).toBe(1);
    expect([...copies.keys()].sort()).toEqual(truth.map((report) => report.id).sort());

    expect(count(summary, (row) => !('ID' in row))).toBeGreaterThanOrEqual(3);
    expect(count(summary, (row) => typeof row.ID === 'string' && row.ID.trim() === '')).toBeGreaterThanOrEqual(3);
    expect(count(summary, (row) => !('Updated_On' in row))).toBeGreaterThanOrEqual(3);
    expect(count(summary, (row) => row.Updated_On === 'not a date')).toBeGreaterThanOrEqual(3);

    const open = dataset.summaryRows({ ...ALL, status: 'In Progress' });
    expect(open.length).toBeGreaterThanOrEqual(3);
    expect(open.every((row) => row.Status === 'In Progress')).toBe(true);
    expect(summary.every((row) => row.Status === 'Completed')).toBe(true);
    const completed = new Set(truth.map((report) => report.id));
    expect(open.some((row) => completed.has(row.ID as string))).toBe(false);
  });

  test('summary answers only the requested days', () => {
    const rows = dataset.summaryRows({ ...ALL, startDate: '2025-01-03', endDate: '2025-01-04' });
    const audits = rows.filter(isAudit);
    expect(audits.length).toBeGreaterThan(0);
    expect(audits.every((row) => String(row.Updated_On) >= '2025-01-03' && String(row.Updated_On) < '2025-01-05')).toBe(true);
    const expected = truth.filter((report) => report.completedAtUtc >= '2025-01-03' && report.completedAtUtc < '2025-01-05');
    expect(new Set(audits.map((row) => row.ID))).toEqual(new Set(expected.map((report) => report.id)));
  });

  test('answers of every JSON type, long ones included', () => {
    const answers = detailRows.map((row) => row.Answer);
    expect(count(answers, (a) => typeof a === 'string')).toBeGreaterThanOrEqual(3);
    expect(count(answers, (a) => typeof a === 'number')).toBeGreaterThanOrEqual(3);
    expect(count(answers, (a) => typeof a === 'boolean')).toBeGreaterThanOrEqual(3);
    expect(count(answers, (a) => Array.isArray(a))).toBeGreaterThanOrEqual(3);
    expect(count(answers, (a) => typeof a === 'object' && a !== null && !Array.isArray(a))).toBeGreaterThanOrEqual(3);
    expect(count(answers, (a) => a === null)).toBeGreaterThanOrEqual(3);
    const long = answers.filter((a): a is string => typeof a === 'string' && a.length > 4000);
    expect(long.length).toBeGreaterThanOrEqual(3);
    expect(long.every((a) => a.length >= 5000 && a.length <= 9000)).toBe(true);
  });

  test('questions: with and without QUESTION_ID, a very long text, repeated keys', () => {
    expect(count(detailRows, (row) => typeof row.QUESTION_ID === 'string' && /^\d+$/.test(row.QUESTION_ID))).toBeGreaterThanOrEqual(3);
    expect(count(detailRows, (row) => !('QUESTION_ID' in row))).toBeGreaterThanOrEqual(3);
    expect(count(detailRows, (row) => !('QUESTION_ID' in row) && String(row.Question).length > 300)).toBeGreaterThanOrEqual(3);
    const repeats = details.filter(({ rows }) => {
      const identities = rows.filter((row) => row.RecordType === 'Detail').map((row) => row.QUESTION_ID ?? row.Question);
      return new Set(identities).size < identities.length;
    });
    expect(repeats.length).toBeGreaterThanOrEqual(3);
  });

  test('certificates: by id "1", by text, blank, missing', () => {
    expect(count(detailRows, (row) => row.QUESTION_ID === '1')).toBeGreaterThanOrEqual(3);
    expect(count(detailRows, (row) => row.QUESTION_ID !== '1' && String(row.Question).includes('Certificate Number'))).toBeGreaterThanOrEqual(3);
    const isCertificate = (row: ApiRow): boolean => row.QUESTION_ID === '1' || String(row.Question).includes('Certificate Number');
    const blank = details.filter(({ rows }) => rows.some((row) => isCertificate(row) && String(row.Answer).trim() === ''));
    expect(blank.length).toBeGreaterThanOrEqual(3);
    expect(blank.every(({ report }) => report.certificateNumber === null && report.hasDetails)).toBe(true);
    const missing = details.filter(({ rows, report }) => report.hasDetails && !rows.some(isCertificate));
    expect(missing.length).toBeGreaterThanOrEqual(3);
    expect(missing.every(({ report }) => report.certificateNumber === null)).toBe(true);
  });

  test('sections, other record types, details without Detail rows or empty', () => {
    expect(count(detailRows, (row) => row.GroupName === 'N/A')).toBeGreaterThanOrEqual(3);
    expect(count(detailRows, (row) => typeof row.GroupName === 'string' && row.GroupName !== 'N/A')).toBeGreaterThanOrEqual(3);
    expect(count(detailRows, (row) => !('Section' in row))).toBeGreaterThanOrEqual(3);
    const types = new Set(details.flatMap(({ rows }) => rows.map((row) => row.RecordType)));
    expect(types).toEqual(new Set(['Header', 'Detail', 'Summary', 'Signature']));
    expect(count(details, ({ rows }) => rows.length === 0)).toBeGreaterThanOrEqual(3);
    expect(count(details, ({ rows }) => rows.length > 0 && !rows.some((row) => row.RecordType === 'Detail'))).toBeGreaterThanOrEqual(3);
    expect(dataset.detailsRows('A999999')).toEqual([]);
  });
});

describe('truth', () => {
  test('question keys: id, slug, hashed slug of a long text', () => {
    expect(slugKey('Freezer temperature (°C) at 10:00')).toBe('freezer_temperature_c_at_10_00');
    expect(slugKey('  Is the first-aid kit complete?  ')).toBe('is_the_first_aid_kit_complete');
    const text = 'Word '.repeat(80);
    const slug = 'word_'.repeat(79) + 'word';
    const key = slugKey(text);
    expect(key).toHaveLength(256);
    expect(key).toBe(`${slug.slice(0, 215)}_${createHash('sha1').update(slug).digest('hex')}`);
  });

  test('matches the rules applied to the raw rows', () => {
    expectTruthFromRows(details);
    const all = truth.flatMap((report) => report.answers);
    expect(all.every((answer) => answer.questionKey.length <= 256 && (answer.questionText?.length ?? 0) <= 1000)).toBe(true);
    expect(all.some((answer) => (answer.answerValue?.length ?? 0) > 4000)).toBe(true);
    expect(all.some((answer) => answer.questionText === null)).toBe(true);
  });

  test('completedAtUtc is the summary Updated_On as UTC ISO', () => {
    const updatedOn = new Map(summary.filter(isAudit).map((row) => [row.ID, row.Updated_On]));
    for (const report of truth) expect(report.completedAtUtc).toBe(`${String(updatedOn.get(report.id)).replace(' ', 'T')}Z`);
  });
});

describe('addReports', () => {
  test('appends Completed audits with the next ids, exactly those', () => {
    const d = generateDataset({ ...SPEC, reports: 40 });
    const before = d.truth().reports.map((report) => report.id);
    const onDay = d.addReports(3, '2025-01-20');
    expect(onDay).toEqual(['A000041', 'A000042', 'A000043']);
    const atSecond = d.addReports(2, new Date('2025-01-21T08:09:10.999Z'));
    const after = d.truth().reports;
    expect(after.map((report) => report.id)).toEqual([...before, ...onDay, ...atSecond]);
    expect(after.filter((report) => atSecond.includes(report.id)).map((report) => report.completedAtUtc)).toEqual([
      '2025-01-21T08:09:10Z',
      '2025-01-21T08:09:10Z',
    ]);
    const rows = d.summaryRows({ startDate: '2025-01-20', endDate: '2025-01-20', status: 'Completed' });
    expect(new Set(rows.map((row) => row.ID))).toEqual(new Set(onDay));
  });
});

describe('editReports', () => {
  const AT = new Date('2025-01-20T06:07:08.900Z');
  const byId = (d: Dataset) => new Map(d.truth().reports.map((report) => [report.id, report]));

  test('edits the audits named; truth, summary and details follow; a second edit stacks', () => {
    const d = generateDataset(SPEC);
    const before = byId(d);
    expect(d.editReports({ ids: ['A000002', 'A000001'], at: AT })).toEqual(['A000002', 'A000001']);
    const after = byId(d);
    for (const id of ['A000001', 'A000002']) {
      expect(after.get(id)?.completedAtUtc).toBe('2025-01-20T06:07:08Z');
      expect(after.get(id)?.answers).not.toEqual(before.get(id)?.answers);
      expect(after.get(id)?.certificateNumber).toMatch(/^CERT-\d{6}$/);
    }
    for (const [id, report] of after) if (!['A000001', 'A000002'].includes(id)) expect(report).toEqual(before.get(id));
    const onEditDay = d.summaryRows({ startDate: '2025-01-20', endDate: '2025-01-20', status: 'Completed' });
    expect(new Set(onEditDay.filter(isAudit).map((row) => row.ID))).toEqual(new Set(['A000001', 'A000002']));
    expect(d.detailsRows('A000001')).not.toEqual(dataset.detailsRows('A000001'));

    const edited = after.get('A000001');
    d.editReports({ ids: ['A000001'], at: new Date('2025-01-21T00:00:00Z'), moveUpdatedOn: false });
    const again = byId(d).get('A000001');
    expect(again?.completedAtUtc).toBe(edited?.completedAtUtc);
    expect(again?.answers).not.toEqual(edited?.answers);
    expect(again?.certificateNumber).not.toBe(edited?.certificateNumber);
  });

  test('picks count distinct editable audits at random, the same ones for the same seed', () => {
    const d = generateDataset(SPEC);
    const ids = d.editReports({ count: 20, at: AT });
    expect(new Set(ids).size).toBe(20);
    expectTruthFromRows(detailsOf(d, d.truth().reports));
    expect(generateDataset(SPEC).editReports({ count: 20, at: AT })).toEqual(ids);
    const onEditDay = d.summaryRows({ startDate: '2025-01-20', endDate: '2025-01-20', status: 'Completed' });
    expect(new Set(onEditDay.filter(isAudit).map((row) => row.ID))).toEqual(new Set(ids));
    expect(d.truth().reports.filter((report) => report.completedAtUtc === '2025-01-20T06:07:08Z').map((report) => report.id).sort()).toEqual(
      [...ids].sort(),
    );
  });

  test('refuses unknown and uneditable ids, both or neither of ids and count, a count too large', () => {
    const d = generateDataset(SPEC);
    expect(() => d.editReports({ ids: ['A999999'] })).toThrow(/ids: A999999 cannot be edited: no such audit/);
    expect(() => d.editReports({ ids: ['A000001', 'A000007'] })).toThrow(/ids: A000007 cannot be edited: it has 0 Detail rows/);
    expect(() => d.editReports({ ids: ['A000009'] })).toThrow(/A000009 cannot be edited: it has 0 Detail rows/);
    expect(() => d.editReports({ ids: ['A000005'] })).toThrow(/A000005 cannot be edited: its status is In Progress/);
    expect(() => d.editReports({ ids: ['A000001'], count: 1 })).toThrow(/exactly one of ids and count/);
    expect(() => d.editReports({})).toThrow(/exactly one of ids and count/);
    expect(() => d.editReports({ count: 300 })).toThrow(/count: 300 asked, but only \d+ audits can be edited/);
    expect(() => d.editReports({ count: 0 })).toThrow(/count/);
    expect(d.truth()).toEqual(dataset.truth());
  });
});

describe('validation', () => {
  test('names the bad field', () => {
    expect(() => generateDataset({ ...SPEC, reports: 0 })).toThrow(/reports/);
    expect(() => generateDataset({ ...SPEC, from: '2025-02-30' })).toThrow(/from: expected a day/);
    expect(() => generateDataset({ ...SPEC, from: '2025-02-01' })).toThrow(/to: must not be before from/);
  });
});
