import type { Client } from '@temporalio/client';
import type { Environment } from '../worker/config';
import { progressMarkdown } from '../workflows/progress';
import { workflowLink } from './connect';
import { queryProgress } from './progress-query';

/**
 * Running ingestions, backfills, sweeps and reconciles of this task queue with their progress, and the
 * schedules with their next runs. Returns the running runs' workflow ids (for `status --watch`).
 * Every call to Temporal goes out at once (the list of runs, the schedules, each run's progress),
 * so it answers in about one round trip, or a run's progress deadline when one does not answer.
 */
export async function status(client: Client, env: Environment, out: (line: string) => void = console.log): Promise<string[]> {
  const query = `ExecutionStatus = 'Running' AND TaskQueue = '${env.TEMPORAL_TASK_QUEUE}' AND WorkflowType IN ('ingestionWorkflow', 'enrichmentWorkflow', 'reconcileWorkflow')`;
  const schedules = scheduleLines(client);
  schedules.catch(() => undefined);
  const running: string[] = [];
  const answers: Promise<string>[] = [];
  for await (const execution of client.workflow.list({ query })) {
    const { workflowId } = execution;
    running.push(workflowId);
    answers.push(
      queryProgress(client, workflowId).then(
        progressMarkdown,
        (error: unknown) => `no progress answer (is a worker polling ${env.TEMPORAL_TASK_QUEUE}?): ${String(error)}`,
      ),
    );
  }
  const progress = await Promise.all(answers);
  running.forEach((workflowId, i) => out(`${workflowId}  ${workflowLink(env, workflowId)}\n${progress[i]}\n`));
  if (running.length === 0) out('no ingestion, backfill, sweep or reconcile is running');
  for (const line of await schedules) out(line);
  return running;
}

/** Each schedule with its next run. */
async function scheduleLines(client: Client): Promise<string[]> {
  const lines: string[] = [];
  for await (const schedule of client.schedule.list()) {
    const next = schedule.info.nextActionTimes[0]?.toISOString() ?? 'none';
    const paused = schedule.state.paused ? ' (paused)' : '';
    lines.push(`schedule ${schedule.scheduleId}${paused}: next run ${next}`);
  }
  return lines;
}
