import { parseReportDetails } from '../activities/goaudits/details';
import { generateDataset, type ApiRow, type Dataset, type TruthReport } from './dataset';
import { slugKey } from './question-key';

const SPEC = { reports: 300, from: '2025-01-01', to: '2025-01-14', seed: 1 };
const ALL = { startDate: SPEC.from, endDate: SPEC.to, status: 'Completed' };
const original = generateDataset(SPEC);

const byId = (d: Dataset) => new Map(d.truth().reports.map((report) => [report.id, report]));
const idsIn = (rows: ApiRow[]) => new Set(rows.map((row) => row.ID));
/** Completed audits with details, other than `but`. */
const completedWithDetails = (d: Dataset, but: string[] = []) =>
  d
    .truth()
    .reports.filter((report) => report.hasDetails && !but.includes(report.id))
    .map((report) => report.id);
/** Certificate keys as the pipeline finds them: `QUESTION_ID` "1", or a text naming a certificate number. */
const CERTIFICATE_KEYS = new Set(['1', '501', slugKey('Certificate Number (if issued)')]);
/** A report's answers but its certificate. */
const otherAnswers = (report: TruthReport) => report.answers.filter((answer) => !CERTIFICATE_KEYS.has(answer.questionKey));
/** The truth but the reports named. */
const truthBut = (d: Dataset, ids: string[]) => d.truth().reports.filter((report) => !ids.includes(report.id));

describe('deleteReports', () => {
  test('the audits named leave the summary, the details and the truth; the others stay as they were', () => {
    const d = generateDataset(SPEC);
    const [first, second] = completedWithDetails(d);
    expect(d.deleteReports({ ids: [second, first] })).toEqual([second, first]);
    expect(idsIn(d.summaryRows(ALL))).not.toContain(first);
    expect(idsIn(d.summaryRows(ALL))).not.toContain(second);
    expect(d.detailsRows(first)).toEqual([]);
    expect(d.detailsRows(first)).toEqual(d.detailsRows('A999999'));
    expect(d.truth().reports).toEqual(truthBut(original, [first, second]));
    expect(d.summaryRows(ALL)).toEqual(original.summaryRows(ALL).filter((row) => row.ID !== first && row.ID !== second));
  });

  test('a deleted audit is unknown to every later request, and its id is never given again', () => {
    const d = generateDataset(SPEC);
    d.deleteReports({ ids: ['A000300'] });
    expect(() => d.deleteReports({ ids: ['A000300'] })).toThrow(/ids: A000300 cannot be deleted: no such audit/);
    expect(() => d.editReports({ ids: ['A000300'] })).toThrow(/ids: A000300 cannot be edited: no such audit/);
    expect(() => d.reopenReports({ ids: ['A000300'] })).toThrow(/ids: A000300 cannot be reopened: no such audit/);
    expect(d.addReports(1, '2025-01-20')).toEqual(['A000301']);
  });

  test('by count: distinct Completed audits at random, the same ones for the same seed', () => {
    const d = generateDataset(SPEC);
    const ids = d.deleteReports({ count: 25 });
    expect(new Set(ids).size).toBe(25);
    const before = byId(original);
    expect(ids.every((id) => before.has(id))).toBe(true);
    expect(d.truth().reports).toEqual(truthBut(original, ids));
    expect(generateDataset(SPEC).deleteReports({ count: 25 })).toEqual(ids);
    expect(() => d.deleteReports({ count: 1000 })).toThrow(/count: 1000 asked, but only \d+ audits can be deleted/);
  });

  test('by ids also an audit that is not Completed; refuses both or neither of ids and count', () => {
    const d = generateDataset(SPEC);
    expect(d.deleteReports({ ids: ['A000005'] })).toEqual(['A000005']);
    expect(idsIn(d.summaryRows({ ...ALL, status: 'In Progress' }))).not.toContain('A000005');
    expect(() => d.deleteReports({ ids: ['A000001'], count: 1 })).toThrow(/exactly one of ids and count/);
    expect(() => d.deleteReports({})).toThrow(/exactly one of ids and count/);
    expect(d.truth()).toEqual(original.truth());
  });
});

describe('reopenReports', () => {
  test('Completed audits turn In Progress: listed for that status only, out of the truth, details still answered', () => {
    const d = generateDataset(SPEC);
    const [id] = completedWithDetails(d);
    expect(d.reopenReports({ ids: [id] })).toEqual([id]);
    expect(idsIn(d.summaryRows(ALL))).not.toContain(id);
    const open = d.summaryRows({ ...ALL, status: 'In Progress' }).filter((row) => row.ID === id);
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((row) => row.Status === 'In Progress')).toBe(true);
    expect(d.truth().reports).toEqual(truthBut(original, [id]));
    expect(d.detailsRows(id)).toEqual(original.detailsRows(id));
  });

  test('to another status, by count at random; refuses an audit not Completed and the status Completed', () => {
    const d = generateDataset(SPEC);
    const ids = d.reopenReports({ count: 5, status: 'Draft' });
    expect(new Set(ids).size).toBe(5);
    expect([...idsIn(d.summaryRows({ ...ALL, status: 'Draft' }))].filter((id) => ids.includes(String(id))).sort()).toEqual([...ids].sort());
    expect(d.truth().reports).toEqual(truthBut(original, ids));
    expect(() => d.reopenReports({ ids: [ids[0]] })).toThrow(new RegExp(`ids: ${ids[0]} cannot be reopened: its status is Draft`));
    expect(() => d.reopenReports({ ids: ['A000001'], status: 'Completed' })).toThrow(/status: must not be Completed/);
  });
});

describe('editReportsSilently', () => {
  /** Asserts the summary is exactly as before and returns the truth of the edited reports, before and after. */
  const editSilently = (change?: 'answers' | 'certificate' | 'both') => {
    const d = generateDataset(SPEC);
    const ids = d.editReportsSilently({ count: 10, change });
    expect(d.summaryRows(ALL)).toEqual(original.summaryRows(ALL));
    const [before, after] = [byId(original), byId(d)];
    expect(truthBut(d, ids)).toEqual(truthBut(original, ids));
    const pairs = ids.map((id) => [before.get(id), after.get(id)] as [TruthReport, TruthReport]);
    for (const [was, now] of pairs) {
      expect(now.completedAtUtc).toBe(was.completedAtUtc);
      const parsed = parseReportDetails(now.id, d.detailsRows(now.id));
      expect({ answers: parsed.answers, certificate: parsed.certificateNumber }).toEqual({
        answers: now.answers,
        certificate: now.certificateNumber,
      });
    }
    return pairs;
  };

  test('answers (the default): the answers change, Updated_On, the certificate and the whole summary stay', () => {
    for (const [was, now] of editSilently()) {
      expect(now.answers).not.toEqual(was.answers);
      expect(now.certificateNumber).toBe(was.certificateNumber);
    }
  });

  test('certificate: a new certificate number, the other answers as they were', () => {
    for (const [was, now] of editSilently('certificate')) {
      expect(now.certificateNumber).toMatch(/^CERT-\d{6}$/);
      expect(now.certificateNumber).not.toBe(was.certificateNumber);
      expect(otherAnswers(now)).toEqual(otherAnswers(was));
    }
  });

  test('both: the answers and the certificate change', () => {
    for (const [was, now] of editSilently('both')) {
      expect(now.certificateNumber).not.toBe(was.certificateNumber);
      expect(otherAnswers(now)).not.toEqual(otherAnswers(was));
    }
  });

  test('refuses what editReports refuses', () => {
    const d = generateDataset(SPEC);
    expect(() => d.editReportsSilently({ ids: ['A000005'] })).toThrow(/A000005 cannot be edited: its status is In Progress/);
    expect(() => d.editReportsSilently({ ids: ['A000009'] })).toThrow(/A000009 cannot be edited: it has 0 Detail rows/);
    expect(() => d.editReportsSilently({ ids: ['A000001'], change: 'score' as 'answers' })).toThrow(/change/);
    expect(d.truth()).toEqual(original.truth());
  });
});
