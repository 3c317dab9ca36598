import { CancellationScope, isCancellation, uuid4, workflowInfo } from '@temporalio/workflow';
import type { FinishedStatus, RunRef } from '../shared/records';
import type { JobName } from '../shared/jobs';
import type { RunCounts } from '../shared/counts';
import { pipeline } from './activities';
import { authHalt, isAuthFailure, rootMessage } from './failures';

/**
 * A run's JobRunHistory row, written exactly once: the RunId comes from the workflow's
 * deterministic uuid, so retried activities and replays find the same row, and a run that
 * continues as new carries its RunRef along. The CorrelationId names the workflow run, and
 * `part` the job's part in it when one workflow writes two rows (an ingestion's enrichment).
 */
export function newRun(job: JobName, part?: string): RunRef {
  const info = workflowInfo();
  return { runId: uuid4(), job, correlationId: correlationIdOf(info.workflowId, info.runId, part), startedAtUtc: new Date().toISOString() };
}

/** JobRunHistory.CorrelationId is nvarchar(100). */
const CORRELATION_ID_MAX_LENGTH = 100;

/**
 * `workflowId/runId[/part]`, at most 100 characters: a long workflow id keeps its start and
 * loses its middle (marked `…`), so the run id, which tells runs apart, is always whole.
 */
export function correlationIdOf(workflowId: string, runId: string, part?: string): string {
  const tail = [runId, ...(part ? [part] : [])].join('/');
  const room = CORRELATION_ID_MAX_LENGTH - tail.length - 1;
  const head = workflowId.length <= room ? workflowId : `${workflowId.slice(0, room - 1)}…`;
  return `${head}/${tail}`;
}

/** Writes the row `Running`. */
export async function startRun(job: JobName, part?: string): Promise<RunRef> {
  const run = newRun(job, part);
  await pipeline.startRun(run);
  return run;
}

/** Closes the row even when the workflow is being cancelled. */
export function finishRun(run: RunRef, status: FinishedStatus, counts: RunCounts, error?: string) {
  return CancellationScope.nonCancellable(() => pipeline.finishRun({ ...run, status, counts, error }));
}

/**
 * Closes the row of a run that failed: `Cancelled` when an operator cancelled it, `Failed` with
 * `authFatal` when GoAudits refused the token (the error to throw becomes the GoAuditsAuthHalt
 * the Web UI shows), else `Failed` with the error's message. Returns the error to throw.
 */
export async function closeFailedRun(run: RunRef, counts: RunCounts, error: unknown): Promise<unknown> {
  if (isCancellation(error)) {
    await finishRun(run, 'Cancelled', counts, 'cancelled by an operator');
    return error;
  }
  const authFatal = isAuthFailure(error);
  const halt = authFatal ? authHalt(run.job) : undefined;
  await finishRun(run, 'Failed', authFatal ? { ...counts, authFatal } : counts, rootMessage(halt ?? error));
  return halt ?? error;
}
