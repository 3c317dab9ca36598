/**
 * The expected `QuestionKey` of an answer row, written independently of the pipeline's
 * normaliser so the simulator can act as an oracle.
 */
import { createHash } from 'node:crypto';

export const MAX_QUESTION_KEY = 256;

/** `QUESTION_ID` when present, else the slug of the question text. */
export function questionKeyOf(questionId: string | undefined, questionText: string): string {
  return questionId ?? slugKey(questionText);
}

/**
 * Text lower-cased, runs of non-alphanumerics turned into `_`, edges trimmed; when longer than
 * 256 characters: the first 215 + `_` + the 40 hex characters of the full slug's SHA-1 (the legacy job's rule).
 */
export function slugKey(questionText: string): string {
  const slug = questionText
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (slug.length <= MAX_QUESTION_KEY) return slug;
  const hash = createHash('sha1').update(slug).digest('hex');
  return `${slug.slice(0, MAX_QUESTION_KEY - 1 - hash.length)}_${hash}`;
}
