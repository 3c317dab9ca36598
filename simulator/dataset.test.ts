import { createHash } from 'node:crypto';
import { generateDataset, type ApiRow, type Dataset, type TruthReport } from './dataset';
import { slugKey } from './question-key';
import { parseReportDetails } from '../activities/goaudits/details';
import { simulatorOptionsFromEnvironment } from './environment';

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

/** Asserts that each report's truth is exactly what the pipeline's own parser makes of its raw details rows. */
function expectTruthFromRows(pairs: { report: TruthReport; rows: ApiRow[] }[]): void {
  for (const { report, rows } of pairs) {
    const parsed = parseReportDetails(report.id, rows);
    expect({ id: report.id, answers: parsed.answers, hasDetails: parsed.hasDetailRows }).toEqual({
      id: report.id,
      answers: report.answers,
      hasDetails: report.hasDetails,
    });
    // A report without Detail rows keeps no certificate (its details are never stored).
    if (report.hasDetails)
      expect({ id: report.id, certificate: parsed.certificateNumber }).toEqual({ id: report.id, certificate: report.certificateNumber });
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
    expect(
      count(detailRows, (row) => row.QUESTION_ID !== '1' && String(row.Question).includes('Certificate Number')),
    ).toBeGreaterThanOrEqual(3);
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

/** Each rule of the pipeline's details parser, as a case the raw Detail rows of one audit show. */
const PARSER_CASES: Record<string, (rows: ApiRow[]) => boolean> = (() => {
  const text = (value: unknown): value is string => typeof value === 'string';
  const padded = (value: unknown) => text(value) && value.trim() !== '' && value !== value.trim();
  const blank = (value: unknown) => text(value) && value.trim() === '';
  const highSurrogateAt = (value: string, index: number) => /[\uD800-\uDBFF]/.test(value.charAt(index));
  const realGroup = (row: ApiRow) => text(row.GroupName) && row.GroupName.trim() !== '' && row.GroupName.trim() !== 'N/A';
  const noId = (row: ApiRow) => row.QUESTION_ID === undefined || row.QUESTION_ID === null || blank(row.QUESTION_ID);
  const slug = (row: ApiRow) => slugKey(text(row.Question) ? row.Question : '');
  const any = (test: (row: ApiRow) => boolean) => (rows: ApiRow[]) => rows.filter((row) => row.RecordType === 'Detail').some(test);
  const anyAnswer = (test: (answer: unknown) => boolean) => any((row) => 'Answer' in row && test(row.Answer));
  /** Two Detail rows of the report with one key, told apart by `differ`. */
  const repeated = (sameKey: (a: ApiRow, b: ApiRow) => boolean, differ: (a: ApiRow, b: ApiRow) => boolean) => (rows: ApiRow[]) => {
    const details = rows.filter((row) => row.RecordType === 'Detail');
    return details.some((a, i) => details.slice(i + 1).some((b) => sameKey(a, b) && differ(a, b)));
  };
  return {
    'question text padded': any((row) => padded(row.Question)),
    'QUESTION_ID padded': any((row) => padded(row.QUESTION_ID)),
    'Section padded': any((row) => padded(row.Section)),
    'GroupName padded': any((row) => padded(row.GroupName)),
    'GroupName " N/A " padded': any((row) => padded(row.GroupName) && String(row.GroupName).trim() === 'N/A'),
    'QUESTION_ID a number': any((row) => typeof row.QUESTION_ID === 'number'),
    'QUESTION_ID absent: keyed by text': any((row) => !('QUESTION_ID' in row) && text(row.Question) && row.Question.trim() !== ''),
    'QUESTION_ID blank: keyed by text': any((row) => blank(row.QUESTION_ID) && text(row.Question)),
    'QUESTION_ID null: keyed by text': any((row) => row.QUESTION_ID === null && text(row.Question) && row.Question.trim() !== ''),
    'no key at all: not stored': any((row) => noId(row) && slug(row) === ''),
    'question text blank, keyed by id': any((row) => !noId(row) && blank(row.Question)),
    'question text absent, keyed by id': any((row) => !noId(row) && !('Question' in row)),
    'key over 256 characters: hashed': any(
      (row) =>
        noId(row) &&
        slugKey(String(row.Question)).length === 256 &&
        String(row.Question)
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '_').length > 256,
    ),
    'question text of 257 to 1000 characters: stored whole': any(
      (row) => text(row.Question) && row.Question.trim().length > 256 && row.Question.trim().length <= 1000,
    ),
    'question text over 1000 characters: cut': any((row) => text(row.Question) && row.Question.trim().length > 1000),
    'question text cut across an emoji': any(
      (row) => text(row.Question) && row.Question.trim().length > 1000 && highSurrogateAt(row.Question.trim(), 999),
    ),
    'Section joined with GroupName': any((row) => text(row.Section) && row.Section.trim() !== '' && realGroup(row)),
    'GroupName "N/A": Section alone': any((row) => text(row.Section) && String(row.GroupName).trim() === 'N/A'),
    'GroupName blank: Section alone': any((row) => text(row.Section) && blank(row.GroupName)),
    'GroupName absent: Section alone': any((row) => text(row.Section) && !('GroupName' in row)),
    'Section absent or blank: GroupName alone': any((row) => (row.Section === undefined || blank(row.Section)) && realGroup(row)),
    'neither Section nor GroupName': any((row) => row.Section === undefined && row.GroupName === undefined),
    'section over 200 characters, cut across an emoji': any(
      (row) => text(row.Section) && realGroup(row) && highSurrogateAt(`${row.Section.trim()} | ${String(row.GroupName).trim()}`, 199),
    ),
    'answer a string': anyAnswer((answer) => typeof answer === 'string'),
    'answer over 4000 characters': anyAnswer((answer) => typeof answer === 'string' && answer.length > 4000),
    'answer a number': anyAnswer((answer) => typeof answer === 'number'),
    'answer a boolean': anyAnswer((answer) => typeof answer === 'boolean'),
    'answer null': anyAnswer((answer) => answer === null),
    'answer an object': anyAnswer((answer) => typeof answer === 'object' && answer !== null && !Array.isArray(answer)),
    'answer an array': anyAnswer((answer) => Array.isArray(answer)),
    'Answer absent': any((row) => !('Answer' in row)),
    'key repeated by the same row: first wins': repeated(
      (a, b) => a.QUESTION_ID === b.QUESTION_ID && a.Question === b.Question,
      () => true,
    ),
    'key repeated by another spelling of the text': repeated(
      (a, b) => noId(a) && noId(b) && slug(a) !== '' && slug(a) === slug(b),
      (a, b) => a.Question !== b.Question,
    ),
    'key repeated by the same id with another text': repeated(
      (a, b) => !noId(a) && String(a.QUESTION_ID).trim() === String(b.QUESTION_ID).trim(),
      (a, b) => a.Question !== b.Question,
    ),
    'certificate padded': any(
      (row) => (row.QUESTION_ID === '1' || String(row.Question).includes('Certificate Number')) && padded(row.Answer),
    ),
  };
})();

describe("the pipeline's details rules, generated", () => {
  /** The embedded simulator's data set (`npm start`), and data sets of a few hundred audits of other seeds. */
  const DATA_SETS = {
    default: simulatorOptionsFromEnvironment({}, new Date('2025-06-30T12:00:00Z')).dataset,
    'seed 2, 250 audits': { reports: 250, from: '2025-03-01', to: '2025-03-10', seed: 2 },
    'seed 99, 200 audits': { reports: 200, from: '2025-03-01', to: '2025-03-31', seed: 99 },
  };

  test.each(Object.entries(DATA_SETS))('every rule meets several audits of the %s data set', (_name, spec) => {
    const d = generateDataset(spec);
    const rows = d.truth().reports.map((report) => d.detailsRows(report.id));
    const audits = Object.fromEntries(Object.entries(PARSER_CASES).map(([rule, shows]) => [rule, rows.filter(shows).length]));
    expect(Object.entries(audits).filter(([, n]) => n < 3)).toEqual([]);
  });

  test.each(Object.entries(DATA_SETS))(
    "the production parser gives exactly the truth's answers and certificate for every audit of the %s data set",
    (_name, spec) => {
      const d = generateDataset(spec);
      expectTruthFromRows(detailsOf(d, d.truth().reports));
    },
  );
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
    expect(
      d
        .truth()
        .reports.filter((report) => report.completedAtUtc === '2025-01-20T06:07:08Z')
        .map((report) => report.id)
        .sort(),
    ).toEqual([...ids].sort());
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
