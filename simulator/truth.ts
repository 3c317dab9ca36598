/** What the pipeline must end up storing for each audit, derived from the generator's decisions. */
import type { Answer } from '../activities/goaudits/records';
import type { Json } from './answers';
import { keyOf, type AuditPlan, type PlannedAnswer } from './plan';
import { formatIsoSecond } from './time';

export const MAX_QUESTION_TEXT = 1000;

export interface TruthReport {
  id: string;
  /** `Updated_On` as UTC ISO, `YYYY-MM-DDTHH:mm:ssZ`. */
  completedAtUtc: string;
  /** null when blank or when the report has no certificate question. */
  certificateNumber: string | null;
  /** One per key, first row wins. */
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
  const certificate = audit.certificate?.trim() ?? '';
  return {
    id: audit.id,
    completedAtUtc: formatIsoSecond(audit.updatedOnMs),
    certificateNumber: certificate === '' ? null : certificate,
    answers: details.filter((row) => !row.repeated).map(answerOf),
    hasDetails: details.length > 0,
  };
}

function answerOf(row: PlannedAnswer): Answer {
  return {
    questionKey: keyOf(row),
    answerValue: answerText(row.answer),
    section: sectionOf(row.section, row.groupName),
    questionText: row.question === undefined ? null : row.question.slice(0, MAX_QUESTION_TEXT),
  };
}

/** Strings as-is, numbers and booleans stringified, objects and arrays as JSON, null stays null. */
export function answerText(answer: Json): string | null {
  if (answer === null || typeof answer === 'string') return answer;
  if (typeof answer === 'object') return JSON.stringify(answer);
  return String(answer);
}

/** `Section`, joined with `GroupName` by " | " unless that is "N/A" or absent. */
export function sectionOf(section: string | undefined, groupName: string | undefined): string | null {
  if (section === undefined) return null;
  return groupName === undefined || groupName === 'N/A' ? section : `${section} | ${groupName}`;
}
