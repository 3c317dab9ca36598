import type { Client } from '@temporalio/client';
import type { Environment } from '../worker/config';
import type { Progress } from '../workflows/progress';
import { progressMarkdown } from '../workflows/progress';
import { workflowLink } from './connect';

/** Running backfills and ingestions with their progress, and the schedules with their next runs. */
export async function status(client: Client, env: Environment, out: (line: string) => void = console.log): Promise<void> {
  const query = `ExecutionStatus = 'Running' AND WorkflowType = 'ingestionWorkflow'`;
  let running = 0;
  for await (const execution of client.workflow.list({ query })) {
    running++;
    const progress = await client.workflow.getHandle(execution.workflowId).query<Progress>('progress');
    out(`${execution.workflowId}  ${workflowLink(env, execution.workflowId)}\n${progressMarkdown(progress)}\n`);
  }
  if (running === 0) out('no ingestion or backfill is running');
  for await (const schedule of client.schedule.list()) {
    const next = schedule.info.nextActionTimes[0]?.toISOString() ?? 'none';
    const paused = schedule.state.paused ? ' (paused)' : '';
    out(`schedule ${schedule.scheduleId}${paused}: next run ${next}`);
  }
}
