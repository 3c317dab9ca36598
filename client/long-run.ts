import { WorkflowExecutionAlreadyStartedError, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Priority } from '@temporalio/common';
import type { Environment } from '../worker/config';
import { runPriority, type RunKindName } from '../shared/lane-caller';
import { workflowLink } from './connect';

/** A long run (a backfill, a reconcile) as the client starts it: its workflow id names what it does. */
export interface LongRun {
  workflowId: string;
  kind: RunKindName;
  /** What the started line calls it (`backfill`, `refresh`, `reconcile`). */
  label: string;
  /** The Web UI's summary of the run. */
  summary: string;
  dryRun?: boolean;
}

/** The start options every long run shares; the caller adds its workflow and input. */
export interface LongRunOptions {
  taskQueue: string;
  workflowId: string;
  staticSummary: string;
  priority: Priority;
}

/**
 * Starts a long run with its Temporal priority key, or joins the one already running under the
 * same id (never a second copy); a dry run waits for its estimate. Returns the estimate, the
 * started run's ids, or `alreadyRunning`.
 */
export async function startOrJoin(
  env: Environment,
  run: LongRun,
  start: (options: LongRunOptions) => Promise<WorkflowHandleWithFirstExecutionRunId>,
  out: (line: string) => void,
): Promise<unknown> {
  const { workflowId, dryRun } = run;
  try {
    const handle = await start({
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      workflowId,
      staticSummary: run.summary,
      priority: { priorityKey: runPriority(run.kind) },
    });
    out(`${dryRun ? 'dry run' : run.label} started: ${workflowId}\n  ${workflowLink(env, workflowId)}`);
    return dryRun ? await handle.result() : { workflowId, runId: handle.firstExecutionRunId };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    out(`already running: ${workflowId}\n  ${workflowLink(env, workflowId)}`);
    return { workflowId, alreadyRunning: true };
  }
}
