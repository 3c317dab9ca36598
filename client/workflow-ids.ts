/** A workflow id for a one-off run: what it is, then when it started (`goaudits-watermark-2026-11-27T10-00-00-000Z`). */
export function timestampedId(what: string, now: Date = new Date()): string {
  return `${what}-${now.toISOString().replace(/[:.]/g, '-')}`;
}
