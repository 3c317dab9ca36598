import type { Client } from '@temporalio/client';
import type { Environment } from '../worker/config';
import { ingestionInputSchema, parseInput, type IngestionInput } from '../workflows/inputs';
import { ingestionWorkflow } from '../workflows';
import { utcDate } from '../shared/plan';
import { startOrJoin } from './long-run';

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
  const what = input.refresh ? 'refresh' : 'backfill';
  return startOrJoin(
    env,
    {
      workflowId: backfillWorkflowId(input.from, to, input.refresh) + (input.dryRun ? '-dry-run' : ''),
      kind: 'backfill',
      label: what,
      summary: `GoAudits ${what} ${input.from}..${to}${input.dryRun ? ' (dry run)' : ''}`,
      dryRun: input.dryRun,
    },
    (options) => client.workflow.start(ingestionWorkflow, { ...options, args: [{ ...input, to }] }),
    out,
  );
}
