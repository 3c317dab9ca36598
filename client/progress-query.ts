import type { Client } from '@temporalio/client';
import { progressQuery } from '../workflows/messages';
import type { Progress } from '../workflows/progress';
import { withCallsInFlight } from './calls-in-flight';

/** How long a run may take to answer the progress query: none answers while no worker polls its queue. */
export const PROGRESS_DEADLINE_MS = 5_000;

/**
 * The `progress` query's answer of the newest run under `workflowId` (so it follows a run that
 * continued as new), with its calls in flight and the latency seen, from its batches' heartbeats.
 */
export function queryProgress(client: Client, workflowId: string, deadlineMs = PROGRESS_DEADLINE_MS): Promise<Progress> {
  return client.connection.withDeadline(Date.now() + deadlineMs, async () =>
    withCallsInFlight(client, workflowId, await client.workflow.getHandle(workflowId).query(progressQuery)),
  );
}
