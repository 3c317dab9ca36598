import { dayAfter, planWindows } from '../shared/plan';
import type { PipelineSettings } from '../shared/settings';
import type { ReconcileCursor } from './reconcile-cursor';

/** Days per summary call when later days are read for reports their day did not list. */
export const LATER_WINDOW_DAYS = 7;

/** A reconcile's dry run: the calls it would make and their time; nothing called or written. */
export interface ReconcileEstimate {
  dryRun: true;
  kind: 'reconcile';
  from: string;
  to: string;
  days: number;
  /** Reports stored on the days of the range. */
  storedReports: number;
  /** One per day of the range. */
  summaryCalls: number;
  /** At most: the later days up to today, LATER_WINDOW_DAYS per call, read only when a stored report is not listed on its day. */
  laterSummaryCalls: number;
  /** At most: the details sample of each day (fewer when some of it differs at summary level already). */
  detailsCalls: number;
  /** The sustained calls per second this run gets: the call lane's, or the run's own lower pace. */
  callsPerSecond: number;
  /** The checks alone (summary and details calls, all of them); a repair adds its summary windows and enrichment. */
  estimatedSeconds: number;
}

/** `storedPerDay`: stored reports by day of the range (days without any left out). */
export function reconcileEstimate(
  cursor: ReconcileCursor,
  settings: PipelineSettings,
  storedPerDay: Record<string, number>,
): ReconcileEstimate {
  const stored = Object.values(storedPerDay);
  const storedReports = stored.reduce((sum, n) => sum + n, 0);
  const level = cursor.details;
  const detailsCalls = level === 'all' ? storedReports : stored.reduce((sum, n) => sum + Math.min(n, level), 0);
  const laterSummaryCalls =
    cursor.to < cursor.today ? planWindows({ from: dayAfter(cursor.to), to: cursor.today, windowDays: LATER_WINDOW_DAYS }).length : 0;
  const callsPerSecond = Math.min(cursor.controls.rateLimitPerSecond ?? Infinity, settings.laneCallsPerSecond);
  const calls = cursor.daysTotal + laterSummaryCalls + detailsCalls;
  return {
    dryRun: true,
    kind: 'reconcile',
    from: cursor.from,
    to: cursor.to,
    days: cursor.daysTotal,
    storedReports,
    summaryCalls: cursor.daysTotal,
    laterSummaryCalls,
    detailsCalls,
    callsPerSecond,
    estimatedSeconds: Math.ceil(calls / callsPerSecond),
  };
}
