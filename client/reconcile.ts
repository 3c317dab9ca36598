import type { Client } from '@temporalio/client';
import type { Environment } from '../worker/config';
import { parseInput, reconcileInputSchema, type ReconcileInput } from '../workflows/inputs';
import { reconcileWorkflow } from '../workflows';
import type { ReconcileResult } from '../workflows/reconcile';
import { DIFFERENCE_CLASSES } from '../shared/reconcile';
import { utcDate } from '../shared/plan';
import { startOrJoin } from './long-run';

/** A reconcile's workflow id names its range, so the same reconcile cannot run twice at once. */
export function reconcileWorkflowId(from: string, to: string): string {
  return `goaudits-reconcile-${from}-${to}`;
}

/**
 * Starts a reconcile of `from`..`to` (or, with `dryRun`, waits for its cost). `to` defaults to
 * today, fixed here so the workflow id is known before the start; the input is checked here first
 * with the workflow's own rules, so a bad date never starts a workflow.
 */
export async function startReconcile(
  client: Client,
  env: Environment,
  input: ReconcileInput & { from: string },
  out: (line: string) => void = console.log,
): Promise<unknown> {
  const to = input.to ?? utcDate(Date.now());
  parseInput(reconcileInputSchema, { ...input, to }, 'reconcile');
  return startOrJoin(
    env,
    {
      workflowId: reconcileWorkflowId(input.from, to) + (input.dryRun ? '-dry-run' : ''),
      kind: 'reconcile',
      label: 'reconcile',
      summary: `GoAudits reconcile ${input.from}..${to}${input.repair ? ' with repair' : ''}${input.dryRun ? ' (dry run)' : ''}`,
      dryRun: input.dryRun,
    },
    (options) => client.workflow.start(reconcileWorkflow, { ...options, args: [{ ...input, to }] }),
    out,
  );
}

const COLUMNS = ['listed', 'held', 'identical', ...DIFFERENCE_CLASSES] as const;

/**
 * The reconcile's findings as a table: a row per day with a difference (suspect days marked),
 * then the first pass's total and what remains after the repair.
 */
export function reconcileTable(result: ReconcileResult): string {
  const header = ['day', ...COLUMNS, 'suspect'];
  const rows = result.days.map((day) => [day.day, ...COLUMNS.map((name) => String(day[name])), day.suspect ? 'yes' : '']);
  const { counts } = result;
  rows.push([
    'found',
    String(counts.listed),
    String(counts.held),
    String(counts.identical),
    ...DIFFERENCE_CLASSES.map((name) => String(result.found[name])),
    String(result.suspectDays.length || ''),
  ]);
  rows.push(['remaining', '', '', '', ...DIFFERENCE_CLASSES.map((name) => String(result.remaining[name])), '']);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ')
      .trimEnd();
  const verdict = result.identical
    ? `identical: the tables match GoAudits for ${result.from}..${result.to}`
    : `differences remain for ${result.from}..${result.to}`;
  return [line(header), ...rows.map(line), `details checked: ${result.details}`, verdict].join('\n');
}

/** Exit code of a reconcile that succeeded: 0 when the range is identical at the end, 3 when differences remain. */
export const reconcileExitCode = (result: ReconcileResult): 0 | 3 => (result.identical ? 0 : 3);

export const isReconcileResult = (result: unknown): result is ReconcileResult =>
  typeof result === 'object' && result !== null && 'remaining' in result && 'found' in result;
