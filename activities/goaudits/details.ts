import { z } from 'zod';
import { GoAuditsError } from './errors';
import { questionKey } from './question-key';
import type { Answer, ReportDetails } from './records';
import { expectArray, jsonTypeOf } from './response-shape';

const text = z.string().nullish();

/** One answer row of the details answer. Fields not read here pass through. */
export const detailRowSchema = z.looseObject({
  RecordType: z.literal('Detail'),
  QUESTION_ID: z.union([z.string(), z.number()]).nullish(),
  Question: text,
  // Optional: JSON has no undefined, so a row without an answer comes without the field.
  Answer: z.unknown().optional(),
  Section: text,
  GroupName: text,
});

export type DetailRow = z.infer<typeof detailRowSchema>;

/** A report's details, and whether GoAudits returned any answer rows at all. */
export interface ParsedReportDetails extends ReportDetails {
  /** False when no row has RecordType "Detail": GoAudits does not know the id, or it is bad. */
  hasDetailRows: boolean;
}

const SECTION_MAX_LENGTH = 200;
const QUESTION_TEXT_MAX_LENGTH = 1000;
/** CertificationNumber is nvarchar(100). */
const CERTIFICATE_MAX_LENGTH = 100;

/**
 * Turns the details endpoint's answer into the answers and certificate number of one report.
 * Only rows with RecordType "Detail" count; for each question key the first row wins.
 * Throws a `bad-response` GoAuditsError when the body is not an array, a row is not an
 * object, or a Detail row has fields of the wrong type.
 */
export function parseReportDetails(reportId: string, body: unknown): ParsedReportDetails {
  const answers = new Map<string, Answer>();
  let hasDetailRows = false;
  expectArray('details', body).forEach((raw, index) => {
    const row = detailRow(raw, index);
    if (row === null) return;
    hasDetailRows = true;
    const key = questionKey(row.QUESTION_ID, row.Question);
    if (key === null || answers.has(key)) return;
    const questionText = row.Question?.trim();
    answers.set(key, {
      questionKey: key,
      answerValue: answerValue(row.Answer),
      section: section(row.Section, row.GroupName),
      questionText: questionText ? cut(questionText, QUESTION_TEXT_MAX_LENGTH) : null,
    });
  });
  const list = [...answers.values()];
  return { reportId, answers: list, certificateNumber: certificateNumber(list), hasDetailRows };
}

/** The row validated when it is a Detail row; null for other record types. */
function detailRow(raw: unknown, index: number): DetailRow | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw badRow(index, `is ${jsonTypeOf(raw)}, not an object`);
  }
  if ((raw as { RecordType?: unknown }).RecordType !== 'Detail') return null;
  const parsed = detailRowSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw badRow(index, `(Detail) is malformed: ${problems.join('; ')}`);
}

function badRow(index: number, problem: string): GoAuditsError {
  return new GoAuditsError({ kind: 'bad-response', endpoint: 'details', message: `row ${index} ${problem}` });
}

/** Strings as they are, numbers and booleans as text, objects and arrays as JSON; never cut. */
function answerValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? null;
}

/** `Section`, joined with `GroupName` by " | " unless that is blank or "N/A"; null when neither is there. */
function section(sectionName: string | null | undefined, groupName: string | null | undefined): string | null {
  const name = sectionName?.trim() || null;
  const group = groupName?.trim();
  const realGroup = group && group !== 'N/A' ? group : null;
  const joined = name && realGroup ? `${name} | ${realGroup}` : (name ?? realGroup);
  return joined === null ? null : cut(joined, SECTION_MAX_LENGTH);
}

/**
 * The answer to question "1", else to the first question whose text contains
 * "Certificate Number" (any case) with a non-blank answer; trimmed, null when blank or missing.
 */
function certificateNumber(answers: Answer[]): string | null {
  const byId = answers.find((answer) => answer.questionKey === '1');
  const byText = answers.find((answer) => /certificate number/i.test(answer.questionText ?? '') && answer.answerValue?.trim());
  const value = byId?.answerValue?.trim() || byText?.answerValue?.trim();
  return value ? cut(value, CERTIFICATE_MAX_LENGTH) : null;
}

/** The first `max` UTF-16 units of `value`, without leaving half a surrogate pair at the end. */
function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  const last = value.charCodeAt(max - 1);
  return value.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
