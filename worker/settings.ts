import type { PipelineSettings } from '../shared/settings';
import type { Environment } from './config';
import { laneOptions } from './lane-options';
import { sustainedCallsPerSecond } from '../activities/goaudits/call-lane';

/** The non-secret part of the configuration that workflows read through an activity. */
export function pipelineSettings(env: Environment): PipelineSettings {
  return {
    startDate: env.GOAUDITS_START_DATE,
    endDate: env.GOAUDITS_END_DATE,
    windowDays: env.GOAUDITS_WINDOW_DAYS,
    lookbackDays: env.GOAUDITS_LOOKBACK_DAYS,
    batchSize: env.GOAUDITS_ENRICH_BATCH_SIZE,
    concurrency: env.GOAUDITS_ENRICH_CONCURRENCY,
    sweepLimit: env.GOAUDITS_ENRICH_SWEEP_LIMIT,
    quarantineAfter: env.GOAUDITS_QUARANTINE_AFTER,
    apiTaskQueue: env.GOAUDITS_API_TASK_QUEUE,
    rateLimitPerSecond: env.GOAUDITS_RATE_LIMIT_PER_SECOND,
    laneCallsPerSecond: sustainedCallsPerSecond(laneOptions(env)),
    backfillMaxCallsPerDay: env.GOAUDITS_BACKFILL_MAX_CALLS_PER_DAY,
    apiRetry: {
      initialIntervalMs: env.GOAUDITS_RETRY_INITIAL_MS,
      maximumIntervalMs: env.GOAUDITS_RETRY_MAX_MS,
      maximumAttempts: env.GOAUDITS_RETRY_ATTEMPTS,
    },
  };
}
