import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PipelineSettings } from '../shared/settings';
import { AUTH_FAILURE } from '../shared/failure-types';

/**
 * Activity stubs. Store-only activities run on the workflow's own task queue; the GoAudits
 * calls run on the API task queue and wait their turn in the shared call lane. A store
 * activity keeps trying through a database outage for 10 minutes, then fails the run with the
 * store's error, never retrying forever.
 */
export const pipeline = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/**
 * The GoAudits activities. They heartbeat every few seconds while they wait in the lane or for
 * GoAudits, so a worker that dies is noticed within the heartbeat timeout and another worker
 * resumes the work; the start-to-close timeout only bounds a batch that never ends. A cancelled
 * run waits until each of them has really stopped (they learn of it at their next heartbeat),
 * so none writes after the run's rows say it was cancelled. With `priorityKey` (the run's kind's
 * priority), their tasks wait in the API queue's backlog before a lower priority's.
 */
export function goAudits(settings: PipelineSettings, priorityKey?: number) {
  const { initialIntervalMs, maximumIntervalMs, maximumAttempts } = settings.apiRetry;
  return proxyActivities<Pick<Activities, 'ingestWindow' | 'enrichBatch' | 'checkDay' | 'listedIn'>>({
    taskQueue: settings.apiTaskQueue,
    ...(priorityKey === undefined ? {} : { priority: { priorityKey } }),
    startToCloseTimeout: '2 hours',
    heartbeatTimeout: '30 seconds',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: initialIntervalMs,
      maximumInterval: maximumIntervalMs,
      backoffCoefficient: 2,
      maximumAttempts,
      nonRetryableErrorTypes: [AUTH_FAILURE],
    },
  });
}

export type GoAuditsActivities = ReturnType<typeof goAudits>;
