/**
 * What the generator decides for one audit. Raw API rows and the truth are both derived from
 * these decisions, never from each other. Awkward cases are scheduled by the audit's index so
 * that every data set of a few hundred audits holds several of each, whatever the seed.
 */
import { longText, randomAnswer, type Json } from './answers';
import { questionKeyOf } from './question-key';
import type { Random } from './random';
import {
  AUDITORS,
  CERTIFICATE_BY_ID,
  CERTIFICATE_BY_TEXT,
  CERTIFICATE_BY_TEXT_NO_ID,
  CHECKLISTS,
  LOCATIONS,
  LONG_QUESTION,
  LONG_QUESTION_WITH_EMOJI,
  LONG_SECTION_QUESTION,
  MEDIUM_QUESTION,
  QUESTION_BANK,
  REMARKS,
  type Question,
} from './vocabulary';

/** One Detail row as decided, its fields as sent (padded, blank, a number or null as GoAudits may send them); undefined: the field is absent. */
export interface PlannedAnswer {
  questionId?: string | number | null;
  question?: string | null;
  answer?: Json;
  section?: string;
  groupName?: string;
  /** Repeats the key of an earlier row of the same report: sent, but only the first row counts. */
  repeated?: boolean;
}

export interface AuditPlan {
  id: string;
  updatedOnMs: number;
  status: string;
  location: string;
  checklist: string;
  auditor: string;
  score: number;
  /** How many summary rows carry this audit (1-3). */
  summaryCopies: number;
  /** The Detail rows in order; null when the details answer is an empty array. */
  details: PlannedAnswer[] | null;
  /** The certificate answer as sent; undefined when the report has no certificate question. */
  certificate?: string;
  /** How many times the audit was edited after it was completed (see edit.ts). */
  edits: number;
}

/** `A000001`, `A000002`, ... */
export function auditIdOf(index: number): string {
  return `A${String(index + 1).padStart(6, '0')}`;
}

/** Most audits are Completed; a few are still open and must not be returned for "Completed". */
export function statusOf(index: number): string {
  if (index % 13 === 4) return 'In Progress';
  if (index % 31 === 17) return 'Draft';
  return 'Completed';
}

export function planAudit(index: number, updatedOnMs: number, status: string, random: Random): AuditPlan {
  const audit = {
    id: auditIdOf(index),
    updatedOnMs,
    status,
    location: random.pick(LOCATIONS),
    checklist: random.pick(CHECKLISTS),
    auditor: random.pick(AUDITORS),
    score: random.int(400, 1000) / 10,
    summaryCopies: summaryCopiesOf(index),
    edits: 0,
  };
  if (index % 31 === 6) return { ...audit, details: null };
  if (index % 37 === 8) return { ...audit, details: [] };
  const certificate = certificateOf(index, random);
  return { ...audit, details: plannedDetails(index, random, certificate), certificate };
}

function summaryCopiesOf(index: number): number {
  if (index % 11 === 5) return 3;
  if (index % 7 === 3) return 2;
  return 1;
}

/** Blank on one audit in nine, absent on one in fourteen, padded with blanks (stored trimmed) on one in eleven. */
function certificateOf(index: number, random: Random): string | undefined {
  if (index % 14 === 9) return undefined;
  if (index % 9 === 2) return index % 2 === 0 ? '' : '   ';
  const certificate = `CERT-${random.int(100000, 999999)}`;
  return index % 11 === 8 ? ` ${certificate}\t ` : certificate;
}

/** By id "1" mostly; by its text on one audit in four, half of those without `QUESTION_ID`. */
function certificateQuestionOf(index: number): Omit<Question, 'kind'> {
  if (index % 4 !== 1) return CERTIFICATE_BY_ID;
  return index % 8 === 1 ? CERTIFICATE_BY_TEXT_NO_ID : CERTIFICATE_BY_TEXT;
}

function plannedDetails(index: number, random: Random, certificate: string | undefined): PlannedAnswer[] {
  const questions = sample(QUESTION_BANK, random.int(4, 9), random);
  let rows = questions.map((question) => plannedAnswer(question, random));
  const first = rows[0];
  if (index % 19 === 8) first.answer = longText(random, 5000, 9000);
  rows = withParserCases(index, rows);
  if (index % 41 === 12) rows = insertAt(rows, { ...rowOf(LONG_QUESTION, true), answer: random.pick(REMARKS) }, random, 0);
  if (certificate !== undefined) {
    rows = insertAt(rows, { ...rowOf(certificateQuestionOf(index), true), answer: certificate }, random, 0);
  }
  if (index % 16 === 3) {
    const repeat = { ...first, answer: 'repeated row: must be ignored', repeated: true };
    rows = insertAt(rows, repeat, random, rows.indexOf(first) + 1);
  }
  return rows;
}

/**
 * The rows with the cases the pipeline's parser has rules for, each on a few audits of every data
 * set, by index (no random draw, so the rest of a data set stays as it was): values padded with
 * blanks, `QUESTION_ID` as a number, blank or null, no `Answer` field, a blank or missing part of
 * the section, text too long for a key or for the table, a section too long for the table, keys
 * repeated by another text or another spelling, a row with no key at all, a blank question text.
 * Changes the rows given (so the caller's references stay good) and returns them with rows added.
 */
function withParserCases(index: number, rows: PlannedAnswer[]): PlannedAnswer[] {
  /** The row among those matching `which` this audit's index points at. */
  const target = (which: (row: PlannedAnswer) => boolean): PlannedAnswer | undefined => {
    const candidates = rows.filter(which);
    return candidates[Math.floor(index / 7) % Math.max(candidates.length, 1)];
  };
  const withId = (row: PlannedAnswer) => typeof row.questionId === 'string';
  const withoutId = (row: PlannedAnswer) => row.questionId === undefined;
  const withGroup = (row: PlannedAnswer) => row.groupName !== undefined && row.groupName !== 'N/A';
  const repeatAfter = (row: PlannedAnswer | undefined, question: string | null | undefined) => {
    if (row) rows.splice(rows.indexOf(row) + 1, 0, { ...row, question, answer: 'repeated row: must be ignored', repeated: true });
  };
  const round = (every: number) => Math.floor(index / every);

  const padded = index % 10 === 7 ? target(() => true) : undefined;
  if (padded) {
    if (typeof padded.questionId === 'string') padded.questionId = ` ${padded.questionId} `;
    if (padded.question) padded.question = `  ${padded.question}\t`;
    if (padded.section !== undefined) padded.section = ` ${padded.section}  `;
    if (padded.groupName !== undefined) padded.groupName = `\t${padded.groupName} `;
  }
  const numbered = index % 12 === 5 ? target(withId) : undefined;
  if (numbered) numbered.questionId = Number(numbered.questionId);
  const blankId = index % 15 === 11 ? target(withoutId) : undefined;
  if (blankId) blankId.questionId = (['', '   ', null] as const)[round(15) % 3];
  const unanswered = index % 17 === 13 ? target(() => true) : undefined;
  if (unanswered) delete unanswered.answer;
  const blankGroup = index % 14 === 6 ? target(withGroup) : undefined;
  if (blankGroup) blankGroup.groupName = round(14) % 2 === 0 ? '' : '  ';
  const groupOnly = index % 23 === 10 ? target(withGroup) : undefined;
  if (groupOnly) groupOnly.section = round(23) % 2 === 0 ? undefined : ' ';
  const untitled = index % 21 === 4 ? target(withId) : undefined;
  if (untitled) untitled.question = round(21) % 2 === 0 ? '' : '   ';

  if (index % 18 === 9) {
    const byText = target(withoutId);
    repeatAfter(byText, byText?.question && `${byText.question.toUpperCase()} ?`);
  }
  if (index % 20 === 15) {
    const byId = target(withId);
    repeatAfter(byId, `Asked again: ${byId?.question ?? ''}`);
  }
  if (index % 26 === 19)
    rows.push({
      questionId: round(26) % 2 === 0 ? null : undefined,
      question: '  ',
      answer: 'a row with no key: not stored',
      section: 'Hygiene',
    });
  if (index % 29 === 14) rows.push({ ...rowOf(LONG_SECTION_QUESTION, true), answer: 'Bins overflowing; extinguisher tag out of date' });
  if (index % 43 === 20) rows.push({ ...rowOf(LONG_QUESTION_WITH_EMOJI, true), answer: 'Two closers to adjust' });
  if (index % 37 === 30) rows.push({ ...rowOf(MEDIUM_QUESTION, true), answer: 'No break found' });
  return rows;
}

/** The question key a row is stored under; null when it gives none (the row is not stored). */
export function keyOf(row: PlannedAnswer): string | null {
  return questionKeyOf(row.questionId, row.question);
}

/** A bank question with a random answer; a few rows lack Section, a few lack the text (when keyed by id). */
export function plannedAnswer(question: Question, random: Random): PlannedAnswer {
  const row = rowOf(question, random.chance(0.9));
  if (question.id !== undefined && random.chance(0.05)) delete row.question;
  return { ...row, answer: random.chance(0.08) ? null : randomAnswer(question.kind, random) };
}

export function rowOf(question: Omit<Question, 'kind'>, withSection: boolean): Omit<PlannedAnswer, 'answer'> {
  const row: Omit<PlannedAnswer, 'answer'> = { question: question.text };
  if (question.id !== undefined) row.questionId = question.id;
  if (withSection) row.section = question.section;
  if (withSection && question.group !== undefined) row.groupName = question.group;
  return row;
}

/** `count` distinct items in random order. */
export function sample<T>(items: readonly T[], count: number, random: Random): T[] {
  const pool = [...items];
  return Array.from({ length: Math.min(count, pool.length) }, () => pool.splice(random.int(0, pool.length - 1), 1)[0]);
}

/** A copy of `rows` with `row` at a random position at or after `min`. */
export function insertAt<T>(rows: T[], row: T, random: Random, min: number): T[] {
  const at = random.int(min, rows.length);
  return [...rows.slice(0, at), row, ...rows.slice(at)];
}
