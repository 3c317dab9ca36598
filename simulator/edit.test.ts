import { editAudit, editAuditSilently, whyNotEditable } from './edit';
import { keyOf, planAudit, statusOf, type AuditPlan } from './plan';
import { questionKeyOf, slugKey } from './question-key';
import { createRandom } from './random';
import { detailsRowsOf, summaryRowsOf } from './rows';
import { truthOf, type TruthReport } from './truth';
import { QUESTION_BANK } from './vocabulary';

const START_MS = Date.parse('2025-01-05T12:00:00Z');
const AT = new Date('2025-02-01T10:20:30.456Z');
const AT_SECOND = '2025-02-01T10:20:30Z';
const LATER = new Date('2025-02-01T11:00:00Z');
const BANK_KEYS = new Set(QUESTION_BANK.map((question) => questionKeyOf(question.id, question.text)));
/** Certificate keys as the pipeline finds them: `QUESTION_ID` "1", or a text naming a certificate number. */
const CERTIFICATE_KEYS = new Set(['1', '501', slugKey('Certificate Number (if issued)')]);

const random = createRandom(7);
const plans: AuditPlan[] = Array.from({ length: 150 }, (_, index) => planAudit(index, START_MS, statusOf(index), random));
const editable = plans.filter((plan) => whyNotEditable(plan) === undefined);

const keysOf = (report: TruthReport): string[] => report.answers.map((answer) => answer.questionKey);
const otherKeys = (report: TruthReport): string[] => keysOf(report).filter((key) => !CERTIFICATE_KEYS.has(key));
const valuesOf = (report: TruthReport) => new Map(report.answers.map((answer) => [answer.questionKey, answer.answerValue]));

/** Asserts that `after` is `before` with exactly one edit's changes and `Updated_On` at `completedAtUtc`; returns the removed key. */
function expectOneEdit(before: AuditPlan, after: AuditPlan, completedAtUtc: string): string {
  const [was, now] = [truthOf(before), truthOf(after)];
  const [wasKeys, nowKeys] = [otherKeys(was), otherKeys(now)];
  const removed = wasKeys.filter((key) => !nowKeys.includes(key));
  const added = nowKeys.filter((key) => !wasKeys.includes(key));
  expect(removed).toHaveLength(1);
  expect(added).toHaveLength(1);
  expect(BANK_KEYS.has(added[0])).toBe(true);
  const [wasValues, nowValues] = [valuesOf(was), valuesOf(now)];
  expect(nowKeys.filter((key) => wasKeys.includes(key) && nowValues.get(key) !== wasValues.get(key))).toHaveLength(1);
  expect(new Set(keysOf(now)).size).toBe(now.answers.length);

  expect(now.certificateNumber).toMatch(/^CERT-\d{6}$/);
  expect(now.certificateNumber).not.toBe(was.certificateNumber);
  expect(now.answers.filter((answer) => CERTIFICATE_KEYS.has(answer.questionKey)).map((answer) => answer.answerValue)).toEqual([
    now.certificateNumber,
  ]);

  expect(now.completedAtUtc).toBe(completedAtUtc);
  expect(summaryRowsOf(after)[0]?.Score).not.toBe(summaryRowsOf(before)[0]?.Score);
  const rawKeys = detailsRowsOf(after)
    .filter((row) => row.RecordType === 'Detail')
    .map((row) => questionKeyOf(row.QUESTION_ID as string | undefined, String(row.Question ?? '')));
  expect(rawKeys).not.toContain(removed[0]);
  return removed[0];
}

describe('editAudit', () => {
  test('the plans cover every case an edit meets', () => {
    expect(editable.length).toBeGreaterThan(100);
    expect(editable.filter((plan) => plan.certificate === undefined).length).toBeGreaterThanOrEqual(3);
    expect(editable.filter((plan) => plan.certificate?.trim() === '').length).toBeGreaterThanOrEqual(3);
    const byText = (plan: AuditPlan) => plan.details?.some((row) => row.questionId !== '1' && row.question?.includes('Certificate Number'));
    expect(editable.filter(byText).length).toBeGreaterThanOrEqual(3);
    expect(editable.filter((plan) => plan.details?.some((row) => row.repeated)).length).toBeGreaterThanOrEqual(3);
  });

  test('one edit changes an answer, adds a key, removes a key, sets the certificate, the score and Updated_On', () => {
    for (const plan of editable) {
      const before = structuredClone(plan);
      const after = editAudit(plan, { atMs: AT.getTime(), moveUpdatedOn: true }, random);
      expectOneEdit(plan, after, AT_SECOND);
      expect(plan).toEqual(before);
    }
  });

  test('removes the repeated copy of a removed question', () => {
    const removedRepeats = editable.flatMap((plan) => {
      const repeated = plan.details?.find((row) => row.repeated);
      if (repeated === undefined) return [];
      const edits = Array.from({ length: 10 }, (_, seed) =>
        editAudit(plan, { atMs: AT.getTime(), moveUpdatedOn: true }, createRandom(seed)),
      );
      return edits
        .filter((after) => expectOneEdit(plan, after, AT_SECOND) === keyOf(repeated))
        .map((after) => ({ after, key: keyOf(repeated) }));
    });
    expect(removedRepeats.length).toBeGreaterThanOrEqual(3);
    // No row of the removed key is left, its repeated copies included (a plan may repeat other keys too).
    for (const { after, key } of removedRepeats) expect(after.details?.some((row) => keyOf(row) === key)).toBe(false);
  });

  test('without moving Updated_On, the score still changes', () => {
    for (const plan of editable) {
      expectOneEdit(plan, editAudit(plan, { atMs: AT.getTime(), moveUpdatedOn: false }, random), truthOf(plan).completedAtUtc);
    }
  });

  test('a second edit stacks on the first and leaves it as it was', () => {
    for (const plan of editable) {
      const first = editAudit(plan, { atMs: AT.getTime(), moveUpdatedOn: true }, random);
      const firstTruth = truthOf(first);
      const second = editAudit(first, { atMs: LATER.getTime(), moveUpdatedOn: true }, random);
      expectOneEdit(first, second, '2025-02-01T11:00:00Z');
      expect(truthOf(first)).toEqual(firstTruth);
      expect(second.edits).toBe(2);
    }
  });

  test('is deterministic for the random given', () => {
    const plan = editable[0];
    const edit = () => editAudit(plan, { atMs: AT.getTime(), moveUpdatedOn: true }, createRandom(11));
    expect(edit()).toEqual(edit());
  });

  test('refuses audits that are not Completed or lack two Detail rows that count', () => {
    const completed = editable[0];
    expect(whyNotEditable({ ...completed, status: 'Draft' })).toMatch(/status is Draft/);
    expect(whyNotEditable({ ...completed, details: null })).toMatch(/0 Detail rows/);
    expect(whyNotEditable({ ...completed, details: completed.details?.slice(0, 1) ?? null })).toMatch(/Detail rows/);
    expect(() => editAudit({ ...completed, details: [] }, { atMs: AT.getTime(), moveUpdatedOn: true }, random)).toThrow(/cannot be edited/);
  });
});

describe('editAuditSilently', () => {
  test('answers: one edit of the answers, the certificate kept; the summary rows exactly as they were', () => {
    for (const plan of editable) {
      const before = structuredClone(plan);
      const after = editAuditSilently(plan, 'answers', random);
      expect(summaryRowsOf(after)).toEqual(summaryRowsOf(plan));
      expect(truthOf(after).certificateNumber).toBe(truthOf(plan).certificateNumber);
      expect(otherKeys(truthOf(after))).not.toEqual(otherKeys(truthOf(plan)));
      expect(after.edits).toBe(1);
      expect(plan).toEqual(before);
    }
  });

  test('certificate: only the certificate changes; both: an edit of the answers and a new certificate; the summary rows stay', () => {
    for (const plan of editable) {
      const certificate = editAuditSilently(plan, 'certificate', random);
      expect(summaryRowsOf(certificate)).toEqual(summaryRowsOf(plan));
      const otherAnswers = (report: TruthReport) => report.answers.filter((answer) => !CERTIFICATE_KEYS.has(answer.questionKey));
      expect(otherAnswers(truthOf(certificate))).toEqual(otherAnswers(truthOf(plan)));
      expect(truthOf(certificate).certificateNumber).not.toBe(truthOf(plan).certificateNumber);
      const both = editAuditSilently(plan, 'both', random);
      expect(summaryRowsOf(both)).toEqual(summaryRowsOf(plan));
      // expectOneEdit also asks for another score, which a silent edit never gives.
      expectOneEdit(plan, { ...both, score: plan.score + 1 }, truthOf(plan).completedAtUtc);
    }
  });

  test('refuses what editAudit refuses', () => {
    expect(() => editAuditSilently({ ...editable[0], status: 'Draft' }, 'answers', random)).toThrow(
      /cannot be edited: its status is Draft/,
    );
  });
});
