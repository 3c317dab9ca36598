/**
 * The expected `QuestionKey` of an answer row, written independently of the pipeline's
 * normaliser so the simulator can act as an oracle.
 */
import { createHash } from 'node:crypto';

export const MAX_QUESTION_KEY = 256;

/**
 * `QUESTION_ID` as text (a number as its digits), trimmed, when it is not blank; else the slug
 * of the question text; null when neither gives a key (the row is not stored).
 */
export function questionKeyOf(questionId: string | number | null | undefined, questionText: string | null | undefined): string | null {
  const id = questionId === null || questionId === undefined ? '' : String(questionId).trim();
  const key = id === '' ? slugKey(questionText ?? '') : fitted(id);
  return key === '' ? null : key;
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
  return fitted(slug);
}

/** A key longer than 256 characters as its first 215, `_` and the SHA-1 of the whole. */
function fitted(key: string): string {
  if (key.length <= MAX_QUESTION_KEY) return key;
  const hash = createHash('sha1').update(key).digest('hex');
  return `${key.slice(0, MAX_QUESTION_KEY - 1 - hash.length)}_${hash}`;
}
