import { CancellationScope, isCancellation, uuid4, workflowInfo } from '@temporalio/workflow';
import type { FinishedStatus, RunRef } from '../activities';
import type { JobName } from '../activities/store/store';
import type { EnrichmentCounts, IngestionCounts } from './counts';
import { pipeline } from './activities';
import { authHalt, isAuthFailure, rootMessage } from './failures';

/**
 * A run's JobRunHistory row, written exactly once: the RunId comes from the workflow's
 * deterministic uuid, so retried activities and replays find the same row, and a run that
 * continues as new carries its RunRef along.
 */
export function newRun(job: JobName): RunRef {
  const info = workflowInfo();
  return { runId: uuid4(), job, correlationId: `${info.workflowId}/${info.runId}`, startedAtUtc: new Date().toISOString() };
}

/** Writes the row `Running`. */
export async function startRun(job: JobName): Promise<RunRef> {
  const run = newRun(job);
  await pipeline.startRun(run);
  return run;
}

/** Closes the row even when the workflow is being cancelled. */
export function finishRun(run: RunRef, status: FinishedStatus, counts: IngestionCounts | EnrichmentCounts, error?: string) {
  return CancellationScope.nonCancellable(() => pipeline.finishRun({ ...run, status, counts, error }));
}

/**
 * Runs `work`; when it fails, the row ends `Failed` (an auth failure with `authFatal`, and the
 * workflow halts with type GoAuditsAuthHalt, visible in the Web UI) or `Cancelled`, and the
 * failure goes on. Success leaves the row open for the caller to finish or carry on.
 */
export async function failingRun<T, C extends IngestionCounts | EnrichmentCounts>(
  run: RunRef,
  counts: () => C,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isCancellation(error)) {
      await finishRun(run, 'Cancelled', counts(), 'cancelled by an operator');
      throw error;
    }
    const authFatal = isAuthFailure(error);
    const halt = authFatal ? authHalt(run.job) : undefined;
    await finishRun(run, 'Failed', authFatal ? { ...counts(), authFatal } : counts(), rootMessage(halt ?? error));
    throw halt ?? error;
  }
}
