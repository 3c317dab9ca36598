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
  batchSize: number;
  concurrency: number;
  sweepLimit: number;
  /** The task queue whose workers call GoAudits, under one task-queue-wide rate limit. */
  apiTaskQueue: string;
  apiRetry: { initialIntervalMs: number; maximumIntervalMs: number; maximumAttempts: number };
  /** GOAUDITS_RATE_LIMIT_PER_SECOND: the task-queue-wide limit, for estimates. */
  rateLimitPerSecond: number;
}
