import type { Concurrency } from './concurrency';

/**
 * What workflows need from the worker's configuration: numbers, dates and queue names only,
 * never secrets. Read once per run through the `pipelineSettings` activity, so changing the
 * worker's environment changes the next run, not a running one.
 */
export interface PipelineSettings {
  /** First day to ingest when there is no watermark (GOAUDITS_START_DATE). */
  startDate?: string;
  /** Last day to ingest instead of today (GOAUDITS_END_DATE). */
  endDate?: string;
  windowDays: number;
  /** Days before today every hourly run reads again, to see edits to audits (GOAUDITS_LOOKBACK_DAYS; 0: none). */
  lookbackDays: number;
  batchSize: number;
  /** GOAUDITS_ENRICH_CONCURRENCY: a ceiling on a run's details calls in flight, or `auto` (see concurrency.ts). */
  concurrency: Concurrency;
  sweepLimit: number;
  /** Failures after which a report is quarantined (GOAUDITS_QUARANTINE_AFTER). */
  quarantineAfter: number;
  /** The task queue whose workers call GoAudits, under one task-queue-wide rate limit. */
  apiTaskQueue: string;
  apiRetry: ApiRetry;
  /** GOAUDITS_RATE_LIMIT_PER_SECOND: the task-queue-wide limit, for estimates. */
  rateLimitPerSecond: number;
  /** The calls per second the shared call lane sustains under that limit (see activities/goaudits/call-lane.ts). */
  laneCallsPerSecond: number;
  /** Every backfill's GoAudits calls per UTC day unless its input says otherwise (GOAUDITS_BACKFILL_MAX_CALLS_PER_DAY); unset: none. */
  backfillMaxCallsPerDay?: number;
}

/** How a GoAudits call is retried: GOAUDITS_RETRY_INITIAL_MS, _MAX_MS and _ATTEMPTS. */
export interface ApiRetry {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  maximumAttempts: number;
}
