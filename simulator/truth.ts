/**
 * What the pipeline must end up storing for each audit, derived from the generator's decisions
 * by the rules the pipeline documents (written here on their own, so the truth is an oracle).
 */
import type { Answer } from '../activities/goaudits/records';
import type { Json } from './answers';
import { keyOf, type AuditPlan, type PlannedAnswer } from './plan';
import { formatIsoSecond } from './time';

/** QuestionText is stored up to 1000 characters, Section up to 200, CertificationNumber up to 100. */
export const MAX_QUESTION_TEXT = 1000;
export const MAX_SECTION = 200;
export const MAX_CERTIFICATE = 100;

export interface TruthReport {
  id: string;
  /** `Updated_On` as UTC ISO, `YYYY-MM-DDTHH:mm:ssZ`. */
  completedAtUtc: string;
  /** null when blank or when the report has no certificate question. */
  certificateNumber: string | null;
  /** One per key, first row wins; rows that give no key are not stored. */
  answers: Answer[];
  /** False when the details hold no Detail rows (or are empty). */
  hasDetails: boolean;
}

export interface Truth {
  /** Every real audit with status Completed, by id. */
  reports: TruthReport[];
}

export function truthOf(audit: AuditPlan): TruthReport {
  const details = audit.details ?? [];
  const answers = new Map<string, Answer>();
  for (const row of details) {
    const key = keyOf(row);
    if (key !== null && !answers.has(key)) answers.set(key, answerOf(row, key));
  }
  return {
    id: audit.id,
    completedAtUtc: formatIsoSecond(audit.updatedOnMs),
    certificateNumber: nonBlank(audit.certificate, MAX_CERTIFICATE),
    answers: [...answers.values()],
    hasDetails: details.length > 0,
  };
}

function answerOf(row: PlannedAnswer, questionKey: string): Answer {
  return {
    questionKey,
    answerValue: row.answer === undefined ? null : answerText(row.answer),
    section: sectionOf(row.section, row.groupName),
    questionText: nonBlank(row.question, MAX_QUESTION_TEXT),
  };
}

/** Strings as-is, numbers and booleans stringified, objects and arrays as JSON, null stays null. */
export function answerText(answer: Json): string | null {
  if (answer === null || typeof answer === 'string') return answer;
  if (typeof answer === 'object') return JSON.stringify(answer);
  return String(answer);
}

/**
 * `Section` and `GroupName` trimmed, joined by " | "; a blank one, or a GroupName "N/A", left
 * out; null when neither is left; cut to 200 characters.
 */
export function sectionOf(section: string | null | undefined, groupName: string | null | undefined): string | null {
  const group = groupName?.trim() === 'N/A' ? undefined : groupName;
  const parts = [section, group].map((part) => part?.trim()).filter((part): part is string => Boolean(part));
  return nonBlank(parts.join(' | '), MAX_SECTION);
}

/** The text trimmed and cut to `max` UTF-16 units (an emoji across the cut goes whole); null when blank or missing. */
function nonBlank(text: string | null | undefined, max: number): string | null {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') return null;
  const cut = trimmed.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
