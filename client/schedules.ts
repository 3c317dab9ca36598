import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { Priority, Workflow } from '@temporalio/common';
import type { Environment } from '../worker/config';
import { enrichmentWorkflow, ingestionWorkflow, reconcileWorkflow } from '../workflows';
import { runPriority, type RunKindName } from '../shared/lane-caller';

export const INGESTION_SCHEDULE = 'goaudits-ingestion';
export const ENRICHMENT_SCHEDULE = 'goaudits-enrichment';
export const RECONCILE_SCHEDULE = 'goaudits-reconcile';

type ScheduleEnv = Pick<
  Environment,
  | 'TEMPORAL_TASK_QUEUE'
  | 'GOAUDITS_INGEST_CRON'
  | 'GOAUDITS_ENRICH_CRON'
  | 'GOAUDITS_RECONCILE_CRON'
  | 'GOAUDITS_RECONCILE_DAYS'
  | 'GOAUDITS_RECONCILE_DETAILS'
>;

interface PipelineSchedule {
  scheduleId: string;
  cron: string;
  action: ScheduleOptionsStartWorkflowAction<Workflow>;
}

/**
 * The two schedules that replace the legacy cron jobs (hourly ingestion at :00, sweep at :15),
 * and the weekly reconcile of the last GOAUDITS_RECONCILE_DAYS days: summary level and a details
 * sample, with repair (never deletion), so drift is found and mended without anyone asking.
 */
export function pipelineSchedules(env: ScheduleEnv): PipelineSchedule[] {
  const start = (
    workflowType: Workflow,
    workflowId: string,
    kind: RunKindName,
    input: object = {},
  ): ScheduleOptionsStartWorkflowAction<Workflow> => {
    // Their workflow and activity tasks wait in a backlog before a backfill's (Temporal priority keys). The
    // SDK's type for this action leaves `priority` out, but its encoder sends it (schedule-helpers.js).
    const priority: { priority: Priority } = { priority: { priorityKey: runPriority(kind) } };
    return { type: 'startWorkflow', workflowType, workflowId, taskQueue: env.TEMPORAL_TASK_QUEUE, args: [input], ...priority };
  };
  const reconcile = { lastDays: env.GOAUDITS_RECONCILE_DAYS, details: env.GOAUDITS_RECONCILE_DETAILS, repair: true };
  return [
    { scheduleId: INGESTION_SCHEDULE, cron: env.GOAUDITS_INGEST_CRON, action: start(ingestionWorkflow, INGESTION_SCHEDULE, 'hourly') },
    {
      scheduleId: ENRICHMENT_SCHEDULE,
      cron: env.GOAUDITS_ENRICH_CRON,
      action: start(enrichmentWorkflow, ENRICHMENT_SCHEDULE, 'enrichment'),
    },
    {
      scheduleId: RECONCILE_SCHEDULE,
      cron: env.GOAUDITS_RECONCILE_CRON,
      action: start(reconcileWorkflow, RECONCILE_SCHEDULE, 'reconcile', reconcile),
    },
  ];
}

/**
 * Creates the schedules, or brings existing ones to this definition; running it twice changes
 * nothing. Overlapping runs are skipped: a run still going when the next is due makes that
 * one wait for the following hour, as the legacy cron jobs should have.
 */
export async function applySchedules(client: Client, env: ScheduleEnv): Promise<string[]> {
  const applied: string[] = [];
  for (const { scheduleId, cron, action } of pipelineSchedules(env)) {
    const spec = { cronExpressions: [cron] };
    const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' as const };
    try {
      await client.schedule.create({ scheduleId, spec, action, policies });
      applied.push(`${scheduleId}: created (${cron})`);
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action, policies }));
      applied.push(`${scheduleId}: updated (${cron})`);
    }
  }
  return applied;
}
