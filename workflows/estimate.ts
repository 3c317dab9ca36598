import type { IngestionCursor } from './ingestion-cursor';
import { planWindows } from '../shared/plan';
import type { PipelineSettings } from '../shared/settings';

/** A dry run's answer: the plan and its cost, with nothing called or written. */
export interface Estimate {
  dryRun: true;
  kind: string;
  from: string;
  to: string;
  windows: number;
  firstWindow?: { startDate: string; endDate: string };
  lastWindow?: { startDate: string; endDate: string };
  summaryCalls: number;
  /** From the reports per day already stored; absent on an empty store. */
  expectedReports?: number;
  /** A refresh: the reports stored for the range, each fetched again. */
  storedReports?: number;
  /** Details calls: the reports expected (for a refresh, at least those stored). */
  detailsCalls?: number;
  /** The sustained calls per second this run gets: the call lane's, or the run's own lower pace. */
  callsPerSecond: number;
  estimatedSeconds: number;
}

/** `storedReports`: for a refresh, the reports stored for its range. */
export function estimate(
  cursor: IngestionCursor,
  settings: PipelineSettings,
  reportsPerDay: number | null,
  storedReports?: number,
): Estimate {
  const windows = planWindows({ from: cursor.from, to: cursor.to, windowDays: cursor.windowDays });
  const days = windows.length === 0 ? 0 : (Date.parse(cursor.to) - Date.parse(cursor.from)) / 86_400_000 + 1;
  const expectedReports = reportsPerDay === null ? undefined : Math.round(reportsPerDay * days);
  const callsPerSecond = Math.min(cursor.controls.rateLimitPerSecond ?? Infinity, settings.laneCallsPerSecond);
  const detailsCalls = storedReports === undefined ? expectedReports : Math.max(storedReports, expectedReports ?? 0);
  const calls = windows.length + (detailsCalls ?? 0);
  return {
    dryRun: true,
    kind: cursor.kind,
    from: cursor.from,
    to: cursor.to,
    windows: windows.length,
    firstWindow: windows[0],
    lastWindow: windows[windows.length - 1],
    summaryCalls: windows.length,
    expectedReports,
    storedReports,
    detailsCalls,
    callsPerSecond,
    estimatedSeconds: Math.ceil(calls / callsPerSecond),
  };
}
