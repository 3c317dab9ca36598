import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { CallsInFlight, Progress } from '../workflows/progress';

/** What a batch heartbeats of its calls (activities/batch-progress.ts), as far as progress reads it. */
interface BatchCalls {
  calls?: { inFlight?: unknown; p50Ms?: unknown; p95Ms?: unknown };
}

const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * A run's GoAudits calls in flight now: its summary windows in flight and, from the heartbeats of
 * its running batches, their calls; and the latency the workers running them see (the highest
 * p50 and p95 any of them reported). None when no batch of the run says.
 */
export function callsOfRun(windowsInFlight: number, heartbeats: readonly unknown[]): CallsInFlight | undefined {
  const reported = heartbeats.map((beat) => (beat as BatchCalls | undefined)?.calls).filter((calls) => calls !== undefined);
  if (reported.length === 0) return undefined;
  const highest = (values: (number | undefined)[]) => {
    const known = values.filter((value) => value !== undefined);
    return known.length === 0 ? undefined : Math.max(...known);
  };
  return {
    inFlight: windowsInFlight + reported.reduce((sum, calls) => sum + (count(calls.inFlight) ?? 0), 0),
    p50Ms: highest(reported.map((calls) => count(calls.p50Ms))),
    p95Ms: highest(reported.map((calls) => count(calls.p95Ms))),
  };
}

/** The run's progress with its calls in flight, read from its pending activities (left out when they cannot be read). */
export async function withCallsInFlight(client: Client, workflowId: string, progress: Progress): Promise<Progress> {
  try {
    const { raw } = await client.workflow.getHandle(workflowId).describe();
    const heartbeats = (raw.pendingActivities ?? []).map((activity) => {
      const first = activity.heartbeatDetails?.payloads?.[0];
      return first ? defaultPayloadConverter.fromPayload(first) : undefined;
    });
    const calls = callsOfRun(progress.windowsInFlight ?? 0, heartbeats);
    return calls ? { ...progress, calls } : progress;
  } catch {
    return progress;
  }
}
