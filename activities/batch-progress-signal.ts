import { Context } from '@temporalio/activity';
import { BATCH_PROGRESS_EVERY_MS, BATCH_PROGRESS_SIGNAL, type BatchProgressReport } from '../shared/batch-progress';
import type { EnrichmentCounts } from '../shared/counts';

/**
 * Passes a batch's counts on to `send` at most once every `everyMs` (counted from the batch's
 * start), whenever they are given (after each report): the run's progress then moves within a
 * few seconds of the batch, at one signal per interval at most. A signal that fails is dropped:
 * the next one, or the batch's result, carries the counts again.
 */
export function throttledBatchProgress(
  batch: string,
  send: (report: BatchProgressReport) => Promise<void>,
  now: () => number = Date.now,
  everyMs = BATCH_PROGRESS_EVERY_MS,
): (counts: EnrichmentCounts) => void {
  let lastMs = now();
  return (counts) => {
    if (now() - lastMs < everyMs) return;
    lastMs = now();
    send({ batch, counts }).catch(() => undefined);
  };
}

/**
 * Signals the current activity's run (this very run: a signal never reaches the run it continued
 * as) with a batch's progress; an activity started by no workflow has no run to tell.
 */
export function signalOwnRun(): (report: BatchProgressReport) => Promise<void> {
  const context = Context.current();
  const execution = context.info.workflowExecution;
  if (!execution) return async () => undefined;
  const run = context.client.workflow.getHandle(execution.workflowId, execution.runId);
  return (report) => run.signal(BATCH_PROGRESS_SIGNAL, report);
}
