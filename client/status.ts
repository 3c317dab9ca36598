import type { Client } from '@temporalio/client';
import type { Environment } from '../worker/config';
import { progressMarkdown } from '../workflows/progress';
import { workflowLink } from './connect';
import { queryProgress } from './progress-query';

/**
 * Running ingestions, backfills, sweeps and reconciles of this task queue with their progress, and the
 * schedules with their next runs. Returns the running runs' workflow ids (for `status --watch`).
 */
export async function status(client: Client, env: Environment, out: (line: string) => void = console.log): Promise<string[]> {
  const query = `ExecutionStatus = 'Running' AND TaskQueue = '${env.TEMPORAL_TASK_QUEUE}' AND WorkflowType IN ('ingestionWorkflow', 'enrichmentWorkflow', 'reconcileWorkflow')`;
  const running: string[] = [];
  for await (const execution of client.workflow.list({ query })) {
    running.push(execution.workflowId);
    const progress = await queryProgress(client, execution.workflowId).then(
      progressMarkdown,
      (error: unknown) => `no progress answer (is a worker polling ${env.TEMPORAL_TASK_QUEUE}?): ${String(error)}`,
    );
    out(`${execution.workflowId}  ${workflowLink(env, execution.workflowId)}\n${progress}\n`);
  }
  if (running.length === 0) out('no ingestion, backfill, sweep or reconcile is running');
  for await (const schedule of client.schedule.list()) {
    const next = schedule.info.nextActionTimes[0]?.toISOString() ?? 'none';
    const paused = schedule.state.paused ? ' (paused)' : '';
    out(`schedule ${schedule.scheduleId}${paused}: next run ${next}`);
  }
  return running;
}
