/**
 * Who a GoAudits call is for, as the call lane sees it: the run's priority, the key its daily
 * call budget is counted under, and that budget. Workflows put it in their activity inputs; the
 * activities hand it to the lane with each call.
 */
export interface LaneCaller {
  /** 1 goes first; see runPriority. */
  priority: number;
  /** The run whose calls are counted (its workflow id, the same across continue-as-new). */
  runKey?: string;
  /** Most calls this run makes in one UTC day; unset: no budget, and its calls are not counted. */
  maxCallsPerDay?: number;
}

/** Hourly ingestion: its data is what users wait for. */
export const HOURLY_PRIORITY = 1;
/** Enrichment sweeps: they mend what hourly runs left. */
export const SWEEP_PRIORITY = 2;
/** Backfills, reconciles and other long runs: they take what the others leave, within the long-run share. */
export const LONG_RUN_PRIORITY = 3;

/** The kinds of run the pipeline starts (reconcile and others to come are long runs). */
export type RunKindName = 'hourly' | 'enrichment' | 'backfill' | (string & {});

/** A run's priority in the call lane (and its Temporal priority key): hourly, then sweeps, then every long run. */
export function runPriority(kind: RunKindName): number {
  if (kind === 'hourly') return HOURLY_PRIORITY;
  if (kind === 'enrichment') return SWEEP_PRIORITY;
  return LONG_RUN_PRIORITY;
}

/** Why the lane sends a run away until a time, instead of making its call. */
export interface LaneWaitInfo {
  /** `budget`: the run spent its calls of the day; `quota`: GoAudits asked everyone to wait (a long 429). */
  reason: 'budget' | 'quota';
  /** When the run may call again (epoch ms): the next budget day, or the end of GoAudits' Retry-After. */
  untilMs: number;
  /** With `budget`: the run's calls this day, and its budget then. */
  callsToday?: number;
  maxCallsPerDay?: number;
}

/** The failure type a summary window's activity fails with when the lane sends its run away (never retried: the workflow waits). */
export const LANE_WAIT = 'GoAuditsLaneWait';

/** How progress shows a wait, e.g. "waiting for budget until 2026-12-07T00:00Z (calls today 60 of 60)". */
export function laneWaitText(wait: LaneWaitInfo): string {
  const until = new Date(wait.untilMs)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:00Z$/, 'Z');
  if (wait.reason === 'quota') return `GoAudits asks us to wait until ${until}`;
  return `waiting for budget until ${until} (calls today ${wait.callsToday ?? 0} of ${wait.maxCallsPerDay ?? 0})`;
}
