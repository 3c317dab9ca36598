import { createHash } from 'node:crypto';

/** QuestionKey is nvarchar(256). */
const QUESTION_KEY_MAX_LENGTH = 256;

/**
 * The key an answer is stored under: `QUESTION_ID` trimmed when present and non-blank, else
 * the question text slugged (lower-cased, each run of characters other than a-z and 0-9
 * turned into "_", leading and trailing "_" trimmed; ASCII only, as the legacy job did, so
 * keys already in SQL stay the same). A key longer than 256 characters becomes its first
 * 215 characters, "_" and the 40 hex digits of the SHA-1 of the whole key, as the legacy job
 * wrote it, so a report enriched again keeps its keys.
 * Null when neither gives a key.
 */
export function questionKey(questionId: string | number | null | undefined, questionText: string | null | undefined): string | null {
  const id = questionId === null || questionId === undefined ? '' : String(questionId).trim();
  const key = id || slug(questionText ?? '');
  return key ? fitKey(key) : null;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function fitKey(key: string): string {
  if (key.length <= QUESTION_KEY_MAX_LENGTH) return key;
  const hash = createHash('sha1').update(key).digest('hex');
  return `${key.slice(0, QUESTION_KEY_MAX_LENGTH - hash.length - 1)}_${hash}`;
}
