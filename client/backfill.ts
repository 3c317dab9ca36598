import { runPriority } from '../shared/lane-caller';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Environment } from '../worker/config';
import { ingestionInputSchema, parseInput, type IngestionInput } from '../workflows/inputs';
import { ingestionWorkflow } from '../workflows';
import { utcDate } from '../shared/plan';
import { workflowLink } from './connect';

/** A backfill's workflow id names its range (and a refresh), so the same backfill cannot run twice at once. */
export function backfillWorkflowId(from: string, to: string, refresh = false): string {
  return `goaudits-backfill-${from}-${to}${refresh ? '-refresh' : ''}`;
}

/**
 * Starts a backfill (or, with `dryRun`, runs its plan and returns the estimate). `to` defaults
 * to today, fixed here so the workflow id is known before the start. The input is checked here
 * first, with the workflow's own rules, so a bad date never starts a workflow.
 */
export async function startBackfill(
  client: Client,
  env: Environment,
  input: IngestionInput & { from: string },
  out: (line: string) => void = console.log,
): Promise<unknown> {
  const to = input.to ?? utcDate(Date.now());
  parseInput(ingestionInputSchema, { ...input, to }, 'backfill');
  const workflowId = backfillWorkflowId(input.from, to, input.refresh) + (input.dryRun ? '-dry-run' : '');
  try {
    const handle = await client.workflow.start(ingestionWorkflow, {
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [{ ...input, to }],
      staticSummary: `GoAudits ${input.refresh ? 'refresh' : 'backfill'} ${input.from}..${to}${input.dryRun ? ' (dry run)' : ''}`,
      priority: { priorityKey: runPriority('backfill') },
    });
    out(`${input.dryRun ? 'dry run' : input.refresh ? 'refresh' : 'backfill'} started: ${workflowId}\n  ${workflowLink(env, workflowId)}`);
    return input.dryRun ? await handle.result() : { workflowId, runId: handle.firstExecutionRunId };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    out(`already running: ${workflowId}\n  ${workflowLink(env, workflowId)}`);
    return { workflowId, alreadyRunning: true };
  }
}
