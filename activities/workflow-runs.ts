import type { Client } from '@temporalio/client';

/** How a JobRunHistory row's workflow stands: ended (with how), or still going. */
export interface WorkflowRuns {
  /** How the workflow run named by a CorrelationId ended, or undefined while it (or its continuation) runs or when it is not found. */
  endedAs(correlationId: string): Promise<string | undefined>;
}

/** `workflowId/runId[/part]`, as run-history.ts writes it (a long workflow id cut with `…`). */
const CORRELATION = /^(.+)\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:\/[a-z]+)?$/;

/** Reads the runs' states from Temporal. */
export function workflowRunsOf(client: Pick<Client, 'workflow'>): WorkflowRuns {
  /** The execution a row names: by workflow and run id, or by run id alone when the workflow id was cut. */
  async function execution(workflowId: string, runId: string) {
    if (!workflowId.endsWith('…')) return client.workflow.getHandle(workflowId, runId).describe();
    for await (const found of client.workflow.list({ query: `RunId = '${runId}'` })) return found;
    return undefined;
  }

  return {
    async endedAs(correlationId) {
      const [, workflowId, runId] = CORRELATION.exec(correlationId) ?? [];
      if (!workflowId || !runId) return undefined;
      const run = await execution(workflowId, runId).catch(() => undefined);
      if (!run || run.status.name === 'RUNNING') return undefined;
      if (run.status.name !== 'CONTINUED_AS_NEW') return run.status.name;
      // A run that continued as new carries its row along: what counts is how its chain stands now.
      const latest = await client.workflow
        .getHandle(run.workflowId)
        .describe()
        .catch(() => undefined);
      return latest && latest.status.name !== 'RUNNING' ? latest.status.name : undefined;
    },
  };
}
