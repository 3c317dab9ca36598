/**
 * Pure planning: summary windows and enrichment batches. Deterministic, no I/O, so the
 * workflows, dry runs and the client can all share it.
 */

/** A summary window: the GoAudits `start_date`..`end_date`, both days included. */
export interface Window {
  startDate: string;
  endDate: string;
}

const DAY_MS = 86_400_000;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** 'YYYY-MM-DD' of a UTC instant (an ISO timestamp, a Date or epoch milliseconds). */
export function utcDate(instant: string | number | Date): string {
  return new Date(instant).toISOString().slice(0, 10);
}

function dayNumber(date: string): number {
  if (!ISO_DATE.test(date) || utcDate(`${date}T00:00:00Z`) !== date) {
    throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  }
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

/** Windows of `windowDays` days covering `from`..`to` (inclusive), oldest first. */
export function planWindows(range: { from: string; to: string; windowDays: number }): Window[] {
  const first = dayNumber(range.from);
  const last = dayNumber(range.to);
  if (first > last) throw new RangeError(`from ${range.from} is after to ${range.to}`);
  if (!Number.isInteger(range.windowDays) || range.windowDays < 1) {
    throw new RangeError(`windowDays must be a whole number of at least 1, got ${range.windowDays}`);
  }
  const windows: Window[] = [];
  for (let day = first; day <= last; day += range.windowDays) {
    windows.push({
      startDate: utcDate(day * DAY_MS),
      endDate: utcDate(Math.min(day + range.windowDays - 1, last) * DAY_MS),
    });
  }
  return windows;
}

/**
 * Where ingestion starts: an explicit `from`, else the watermark's day (so reports sharing the
 * watermark's second are read again and the ledger keeps them single), else the configured
 * first date, else today; an hourly run starts `lookbackDays` before today when that is
 * earlier (to see edits that did not move `Updated_On`), but never before the configured first date.
 */
export function ingestionStart(args: {
  from?: string;
  watermarkUtc: string | null;
  startDate?: string;
  today: string;
  lookbackDays?: number;
}): string {
  if (args.from) return args.from;
  const resume = args.watermarkUtc ? utcDate(args.watermarkUtc) : (args.startDate ?? args.today);
  if (!args.lookbackDays) return resume;
  const lookedBack = utcDate((dayNumber(args.today) - (args.lookbackDays ?? 0)) * DAY_MS);
  const lookback = args.startDate && args.startDate > lookedBack ? args.startDate : lookedBack;
  return lookback < resume ? lookback : resume;
}

/** The two halves of a window of two days or more (the first takes the extra day); none for one day. */
export function splitWindow(window: Window): [Window, Window] | undefined {
  const first = dayNumber(window.startDate);
  const days = dayNumber(window.endDate) - first + 1;
  if (days < 2) return undefined;
  const middle = first + Math.ceil(days / 2);
  return [
    { startDate: window.startDate, endDate: utcDate((middle - 1) * DAY_MS) },
    { startDate: utcDate(middle * DAY_MS), endDate: window.endDate },
  ];
}

/** The day after a window: where the next one starts. */
export function dayAfter(date: string): string {
  return utcDate((dayNumber(date) + 1) * DAY_MS);
}
