import { CancellationScope, uuid4, workflowInfo } from '@temporalio/workflow';
import type { JobName } from '../activities/store/store';
import type { EnrichmentCounts, IngestionCounts } from './counts';
import { pipeline } from './activities';
import { authHalt, isAuthFailure, rootMessage } from './failures';

export interface RecordedRun<C> {
  /** JobRunHistory.RunId of this run (also JobRunId on the rows it wrote). */
  runId: string;
  counts: C;
}

/**
 * Runs `work` between its JobRunHistory row's `Running` and its `Succeeded`/`Failed`, exactly
 * once: the RunId comes from the workflow's deterministic uuid, so retried activities and
 * replays find the same row. An auth failure ends as `Failed` with `authFatal` and halts the
 * workflow with a failure of type GoAuditsAuthHalt, visible in the Web UI.
 */
export async function recordedRun<C extends IngestionCounts | EnrichmentCounts>(
  job: JobName,
  tally: { counts: C },
  work: (runId: string) => Promise<void>,
): Promise<RecordedRun<C>> {
  const info = workflowInfo();
  const run = {
    runId: uuid4(),
    job,
    correlationId: `${info.workflowId}/${info.runId}`,
    startedAtUtc: new Date().toISOString(),
  };
  const finish = (status: 'Succeeded' | 'Failed', counts: C, error?: string) =>
    CancellationScope.nonCancellable(() => pipeline.finishRun({ ...run, status, counts, error }));

  await pipeline.startRun(run);
  try {
    await work(run.runId);
  } catch (error) {
    const authFatal = isAuthFailure(error);
    const halt = authFatal ? authHalt(job) : undefined;
    await finish('Failed', authFatal ? { ...tally.counts, authFatal } : tally.counts, rootMessage(halt ?? error));
    throw halt ?? error;
  }
  await finish('Succeeded', tally.counts);
  return { runId: run.runId, counts: tally.counts };
}
