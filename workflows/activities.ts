import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PipelineSettings } from './settings';
import { AUTH_FAILURE } from './failure-types';

/**
 * Activity stubs. Store-only activities run on the workflow's own task queue; the GoAudits
 * calls run on the API task queue, whose task-queue-wide rate limit is shared by every worker.
 */
export const pipeline = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export function goAudits(settings: PipelineSettings) {
  const { initialIntervalMs, maximumIntervalMs, maximumAttempts } = settings.apiRetry;
  return proxyActivities<Pick<Activities, 'ingestWindow' | 'enrichReport'>>({
    taskQueue: settings.apiTaskQueue,
    startToCloseTimeout: '2 minutes',
    retry: {
      initialInterval: initialIntervalMs,
      maximumInterval: maximumIntervalMs,
      backoffCoefficient: 2,
      maximumAttempts,
      nonRetryableErrorTypes: [AUTH_FAILURE],
    },
  });
}
