/** What a run's Temporal history shows: its activities, its open work, the input of each run of a continued workflow. */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Pipeline } from './harness';
import { until } from './until';
import { tracingWorkerOptions } from '../worker/workflow-tracing';

type History = temporal.api.history.v1.IHistory;
type Payloads = temporal.api.common.v1.IPayloads | null | undefined;

/** One activity of a history. */
export interface ActivityRecord {
  type: string;
  /** Its first argument, decoded. */
  input: unknown;
  /** The event that scheduled it: later events happened after it. */
  scheduledEventId: number;
  /** The workers that started its attempts. */
  startedBy: string[];
  /** False while it is scheduled or running. */
  closed: boolean;
}

const decoded = (payloads: Payloads): unknown => {
  const first = payloads?.payloads?.[0];
  return first ? defaultPayloadConverter.fromPayload(first) : undefined;
};

/** Every activity the history scheduled, in order. */
export function activitiesOf(history: History): ActivityRecord[] {
  const byScheduledId = new Map<number, ActivityRecord>();
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const scheduledEventId = Number(event.eventId);
      byScheduledId.set(scheduledEventId, {
        type: scheduled.activityType?.name ?? '',
        input: decoded(scheduled.input),
        scheduledEventId,
        startedBy: [],
        closed: false,
      });
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started) byScheduledId.get(Number(started.scheduledEventId))?.startedBy.push(started.identity ?? '');
    const ended =
      event.activityTaskCompletedEventAttributes ??
      event.activityTaskFailedEventAttributes ??
      event.activityTaskTimedOutEventAttributes ??
      event.activityTaskCanceledEventAttributes;
    if (ended) {
      const record = byScheduledId.get(Number(ended.scheduledEventId));
      if (record) record.closed = true;
    }
  }
  return [...byScheduledId.values()];
}

/**
 * Event ids of the completed updates of this name, in order. A command after one came after the
 * update's handler had returned (one that only follows its acceptance may predate its effect).
 */
export function updateEventIds(history: History, name: string): number[] {
  const events = history.events ?? [];
  const accepted = new Set(
    events
      .filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === name)
      .map((event) => Number(event.eventId)),
  );
  return events
    .filter((event) => accepted.has(Number(event.workflowExecutionUpdateCompletedEventAttributes?.acceptedEventId)))
    .map((event) => Number(event.eventId));
}

/**
 * The work a run has under way: activities scheduled or running, by type, and timers started
 * and not yet fired; `taskCompleted`: its last workflow task completed and no other is due. No
 * open work then means nothing can start until a message (an update, a signal, a cancel) wakes the run.
 */
export async function openWork(handle: WorkflowHandle): Promise<{ activities: string[]; timers: number; taskCompleted: boolean }> {
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  let timers = 0;
  for (const event of events) {
    if (event.timerStartedEventAttributes) timers++;
    if (event.timerFiredEventAttributes || event.timerCanceledEventAttributes) timers--;
  }
  const lastTask = [...events]
    .reverse()
    .find(
      (event) =>
        event.workflowTaskScheduledEventAttributes ??
        event.workflowTaskStartedEventAttributes ??
        event.workflowTaskCompletedEventAttributes ??
        event.workflowTaskFailedEventAttributes ??
        event.workflowTaskTimedOutEventAttributes,
    );
  return {
    activities: activitiesOf(history)
      .filter((activity) => !activity.closed)
      .map((activity) => activity.type),
    timers,
    taskCompleted: Boolean(lastTask?.workflowTaskCompletedEventAttributes),
  };
}

/**
 * Waits until the run has settled: no activity scheduled or running, no timer, its last workflow
 * task completed, and no GoAudits call in flight at the simulator.
 */
export function settled(p: Pipeline, handle: WorkflowHandle) {
  return until(
    async () => ({ work: await openWork(handle), inFlight: p.simulator.counters().inFlight }),
    ({ work, inFlight }) =>
      work.activities.length === 0 && work.timers === 0 && work.taskCompleted && inFlight.summary + inFlight.details === 0,
    'the run to have nothing under way',
  );
}

/** Each run of the workflow, first run first (a continued-as-new workflow has several): its id, the input it started with, its history's length. */
export async function runsOf<T>(client: Client, workflowId: string): Promise<{ runId: string; input: T; events: number }[]> {
  const runIds: string[] = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runIds.push(run.runId);
  const runs = await Promise.all(
    runIds.map(async (runId) => {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      return {
        runId,
        continues: started?.continuedExecutionRunId || undefined,
        input: decoded(started?.input) as T,
        events: history.events?.length ?? 0,
      };
    }),
  );
  // In the chain's order: each run names the run it continues.
  const ordered = runs.filter((run) => run.continues === undefined);
  for (;;) {
    const last = ordered[ordered.length - 1];
    const next = last && runs.find((run) => run.continues === last.runId);
    if (!next) break;
    ordered.push(next);
  }
  if (ordered.length !== runs.length) throw new Error(`the runs of ${workflowId} are not one chain`);
  return ordered.map(({ runId, input, events }) => ({ runId, input, events }));
}

/** Replays every run of the workflow on this code: the paths it took (its patches included) replay as they ran. */
export async function replayRuns(client: Client, workflowBundle: WorkflowBundleWithSourceMap, workflowId: string): Promise<void> {
  for (const { runId } of await runsOf(client, workflowId)) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    await Worker.runReplayHistory({ workflowBundle, sinks: tracingWorkerOptions(undefined).sinks }, history, `${workflowId}/${runId}`);
  }
}

/** The failure types along a workflow failure's cause chain. */
export function failureTypes(error: unknown): string[] {
  const types: string[] = [];
  for (let cause = error as { cause?: unknown; type?: string } | undefined; cause; cause = cause.cause as typeof cause) {
    if (cause.type) types.push(cause.type);
  }
  return types;
}
