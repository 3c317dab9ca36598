/**
 * A user's edit of a completed audit, as GoAudits allows it. The edit is made on the audit's
 * plan, so the raw rows and the truth, both derived from the plan, follow it.
 */
import { insertAt, keyOf, plannedAnswer, rowOf, type AuditPlan, type PlannedAnswer } from './plan';
import { questionKeyOf } from './question-key';
import type { Random } from './random';
import { floorToSecond } from './time';
import { CERTIFICATE_BY_ID, CERTIFICATE_BY_TEXT, CERTIFICATE_BY_TEXT_NO_ID, QUESTION_BANK, REMARKS } from './vocabulary';

/** When the edit is made, and whether it moves `Updated_On` to that time (GoAudits sometimes does not). */
export interface EditTime {
  atMs: number;
  moveUpdatedOn: boolean;
}

const CERTIFICATE_KEYS: ReadonlySet<string | null> = new Set(
  [CERTIFICATE_BY_ID, CERTIFICATE_BY_TEXT, CERTIFICATE_BY_TEXT_NO_ID].map((question) => questionKeyOf(question.id, question.text)),
);

/** Whether the row answers the certificate question, in any of its forms. */
function isCertificateRow(row: PlannedAnswer): boolean {
  return CERTIFICATE_KEYS.has(keyOf(row));
}

/** Why the audit cannot be edited, or undefined when it can: Completed, with at least 2 Detail rows that count. */
export function whyNotEditable(audit: AuditPlan): string | undefined {
  if (audit.status !== 'Completed') return `its status is ${audit.status}`;
  const counting = countingRows(audit.details ?? []).length;
  return counting < 2 ? `it has ${counting} Detail rows that count, at least 2 are needed` : undefined;
}

/**
 * The audit after one edit; the plan given is left as it was. The edit changes the answer of one
 * question, adds a question from the bank, removes another question (with its repeated copy),
 * sets a new certificate (adding the question when the report had none), changes the score and,
 * when asked, moves `Updated_On` to the edit's second. Throws when the audit is not editable.
 */
export function editAudit(audit: AuditPlan, time: EditTime, random: Random): AuditPlan {
  const edits = editsAfter(audit);
  const { kept, added } = answersEdited(audit.details ?? [], edits, random);
  const certificate = nextCertificate(audit.certificate, random);
  return {
    ...audit,
    details: withCertificate(insertAt(kept, added, random, 0), certificate, random),
    certificate,
    score: intOtherThan(random, 400, 1000, Math.round(audit.score * 10)) / 10,
    updatedOnMs: time.moveUpdatedOn ? floorToSecond(time.atMs) : audit.updatedOnMs,
    edits,
  };
}

/** What a silent edit changes: the answers (as an edit does), the certificate, or both. */
export type SilentChange = 'answers' | 'certificate' | 'both';

/**
 * The audit after an edit GoAudits does not show in its summary: `Updated_On`, the score and
 * every other summary field stay as they were, so the summary fingerprint does not change; the
 * answers change as an edit changes them (one changed, one added, one removed), and/or the
 * certificate gets a new number. The plan given is left as it was. Throws when the audit is not
 * editable.
 */
export function editAuditSilently(audit: AuditPlan, change: SilentChange, random: Random): AuditPlan {
  const edits = editsAfter(audit);
  let details = audit.details ?? [];
  if (change !== 'certificate') {
    const { kept, added } = answersEdited(details, edits, random);
    details = insertAt(kept, added, random, 0);
  }
  if (change === 'answers') return { ...audit, details, edits };
  const certificate = nextCertificate(audit.certificate, random);
  return { ...audit, details: withCertificate(details, certificate, random), certificate, edits };
}

/** The audit's edits after one more; throws when the audit is not editable. */
function editsAfter(audit: AuditPlan): number {
  const reason = whyNotEditable(audit);
  if (reason !== undefined) throw new Error(`${audit.id} cannot be edited: ${reason}`);
  return audit.edits + 1;
}

/**
 * An edit's answers: one counting row gets a new answer and another counting question goes (with
 * its repeated copy); `added`, a bank question the report lacks, is to be inserted by the caller.
 */
function answersEdited(details: PlannedAnswer[], edits: number, random: Random): { kept: PlannedAnswer[]; added: PlannedAnswer } {
  const counting = countingRows(details);
  const changed = random.pick(counting);
  const removedKey = keyOf(random.pick(counting.filter((row) => row !== changed)));
  const added = addedRow(details, random);
  const newAnswer = `edited ${edits}: ${random.pick(REMARKS)}`;
  const kept = details.filter((row) => keyOf(row) !== removedKey).map((row) => (row === changed ? { ...row, answer: newAnswer } : row));
  return { kept, added };
}

/** The Detail rows an edit may change or remove: the first row of each key, certificate aside (a row with no key is not stored). */
function countingRows(details: PlannedAnswer[]): PlannedAnswer[] {
  return details.filter((row) => !row.repeated && keyOf(row) !== null && !isCertificateRow(row));
}

/**
 * A row for a bank question whose key the report lacks. There is always one: a planned report
 * holds at most 9 of the 15, and an edit adds one for each question it removes, so only removing
 * the long free-text question (once) makes that 10.
 */
function addedRow(details: PlannedAnswer[], random: Random): PlannedAnswer {
  const keys = new Set(details.map(keyOf));
  const free = QUESTION_BANK.filter((question) => !keys.has(questionKeyOf(question.id, question.text)));
  return plannedAnswer(random.pick(free), random);
}

/** `rows` with the certificate question answered `certificate`; when absent, added by id "1" at a random place. */
function withCertificate(rows: PlannedAnswer[], certificate: string, random: Random): PlannedAnswer[] {
  if (!rows.some(isCertificateRow)) return insertAt(rows, { ...rowOf(CERTIFICATE_BY_ID, true), answer: certificate }, random, 0);
  return rows.map((row) => (isCertificateRow(row) ? { ...row, answer: certificate } : row));
}

/** A `CERT-nnnnnn` other than `old`. */
function nextCertificate(old: string | undefined, random: Random): string {
  const oldNumber = /^CERT-(\d{6})$/.exec(old ?? '')?.[1];
  return `CERT-${intOtherThan(random, 100000, 999999, oldNumber === undefined ? undefined : Number(oldNumber))}`;
}

/** An integer in [min, max] other than `old`. */
function intOtherThan(random: Random, min: number, max: number, old: number | undefined): number {
  if (old === undefined) return random.int(min, max);
  const drawn = random.int(min, max - 1);
  return drawn >= old ? drawn + 1 : drawn;
}
