import { createHash } from 'node:crypto';

/**
 * A hash of everything the summary says of one audit: each of its rows as JSON with keys in
 * order, the rows sorted, so the same answer always gives the same fingerprint whatever the
 * order of rows or fields. Any changed field (a score, a location, `Updated_On`) changes it.
 */
export function summaryFingerprint(rows: readonly unknown[]): string {
  const hash = createHash('sha256');
  for (const row of rows.map(canonicalJson).sort()) hash.update(row).update('\n');
  return hash.digest('hex');
}

/** JSON with every object's keys sorted, at every depth. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
