import type { Client } from '@temporalio/client';
import type { Environment } from '../worker/config';
import type { Progress } from '../workflows/progress';
import { progressMarkdown } from '../workflows/progress';
import { workflowLink } from './connect';

/** How long a run may take to answer the progress query: none answers while no worker polls its queue. */
const PROGRESS_DEADLINE_MS = 5_000;

/** Running ingestions, backfills and sweeps of this task queue with their progress, and the schedules with their next runs. */
export async function status(client: Client, env: Environment, out: (line: string) => void = console.log): Promise<void> {
  const query = `ExecutionStatus = 'Running' AND TaskQueue = '${env.TEMPORAL_TASK_QUEUE}' AND WorkflowType IN ('ingestionWorkflow', 'enrichmentWorkflow')`;
  let running = 0;
  for await (const execution of client.workflow.list({ query })) {
    running++;
    const progress = await client.connection
      .withDeadline(Date.now() + PROGRESS_DEADLINE_MS, () => client.workflow.getHandle(execution.workflowId).query<Progress>('progress'))
      .then(progressMarkdown, (error: unknown) => `no progress answer (is a worker polling ${env.TEMPORAL_TASK_QUEUE}?): ${String(error)}`);
    out(`${execution.workflowId}  ${workflowLink(env, execution.workflowId)}\n${progress}\n`);
  }
  if (running === 0) out('no ingestion, backfill or sweep is running');
  for await (const schedule of client.schedule.list()) {
    const next = schedule.info.nextActionTimes[0]?.toISOString() ?? 'none';
    const paused = schedule.state.paused ? ' (paused)' : '';
    out(`schedule ${schedule.scheduleId}${paused}: next run ${next}`);
  }
}
