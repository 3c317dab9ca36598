/**
 * The one place where times cross between the pipeline (ISO `YYYY-MM-DDTHH:mm:ssZ`) and
 * SQLite, which stores UTC as TEXT `YYYY-MM-DD HH:MM:SS` (what datetime2(0) prints).
 */

/** ISO date-time with an explicit zone: without one, JavaScript would read local time. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** An ISO time as stored UTC text, whole seconds (a fraction is dropped). */
export function toSqliteUtc(iso: string): string {
  const time = new Date(iso);
  if (!ISO_WITH_ZONE.test(iso) || Number.isNaN(time.getTime())) {
    throw new RangeError(`Not an ISO time with a zone: ${JSON.stringify(iso)}`);
  }
  return time.toISOString().slice(0, 19).replace('T', ' ');
}

/** Stored text as ISO `Z`; also reads `T`-separated or date-only text an operator may write by hand. */
export function fromSqliteUtc(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2}))?/.exec(text);
  if (!match) throw new RangeError(`Not a stored UTC time: ${JSON.stringify(text)}`);
  return `${match[1]}T${match[2] ?? '00:00:00'}Z`;
}
