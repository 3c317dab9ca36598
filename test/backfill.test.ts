import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { until } from './until';
import { usePipelines, type Pipeline } from './harness';
import { enrichmentOfTruth, runHistoryRows, tablesOf, truthOf } from './tables';
import { replayRuns, runsOf, settled } from './workflow-history';
import type { IngestionResult } from '../workflows/ingest';
import type { IngestionInput } from '../workflows/inputs';
import { countsMessage } from '../shared/counts';
import { MOST_QUEUED_REPORTS } from '../workflows/enrichment-batches';
import type { EnrichmentResult } from '../workflows/enrich';
import type { Estimate } from '../workflows/estimate';
import type { Progress } from '../workflows/progress';
import { pauseUpdate, resumeUpdate, tuneUpdate } from '../workflows/controls';
import { backfillWorkflowId, startBackfill } from '../client/backfill';
import { status } from '../client/status';
import { enrichmentWorkflow, ingestionWorkflow } from '../workflows';

jest.setTimeout(180_000);

const fixture = usePipelines();

/** Two months of audits: a backfill's worth for a test. */
const TWO_MONTHS = { reports: 80, from: '2025-09-01', to: '2025-10-31', seed: 11 };
/** The same two months, five audits a day: more details calls than windows. */
const FIVE_A_DAY = { ...TWO_MONTHS, reports: 300 };

const storedIds = (p: Pipeline) => p.rows<{ id: string }>('SELECT GoAuditsReportId AS id FROM GoAuditsReports ORDER BY 1').map((r) => r.id);
const truthIds = (p: Pipeline, from = '0000', to = '9999') =>
  p.simulator
    .truth()
    .reports.filter((r) => r.completedAtUtc.slice(0, 10) >= from && r.completedAtUtc.slice(0, 10) <= to)
    .map((r) => r.id)
    .sort();
const ingestionRows = (p: Pipeline) =>
  p.rows<{ Status: string; Message: string }>("SELECT Status, Message FROM JobRunHistory WHERE JobName = 'GoAuditsIngestion'");

/** The failures of the run's failed workflow tasks (an unhandled rejection fails one, and the run then waits for a retry). */
const failedWorkflowTasks = async (handle: WorkflowHandle) =>
  (await handle.fetchHistory())
    .events!.filter((event) => event.workflowTaskFailedEventAttributes)
    .map((event) => event.workflowTaskFailedEventAttributes?.failure?.message);

describe('backfills', () => {
  test('a one-off range continues as new, carries the reports still waiting, keeps one row per job, stores exactly the truth, and leaves the watermark alone', async () => {
    // Batches of 5 at concurrency 1: enrichment lags the windows, each bringing five reports.
    const pipeline = await fixture.pipeline({ simulator: { dataset: FIVE_A_DAY }, env: { GOAUDITS_ENRICH_BATCH_SIZE: '5' } });
    await pipeline.dependencies.store.setWatermark('GoAuditsIngestion', '2025-09-15T12:00:00Z');
    const workflowId = 'backfill-2025-09-01-2025-10-31';
    const result = await pipeline.execute<IngestionResult>(
      ingestionWorkflow,
      { from: '2025-09-01', to: '2025-10-31', continueAsNewAfterEvents: 60 },
      workflowId,
    );
    expect(result.windows).toBe(61);
    expect(result.counts).toMatchObject({ pages: 61, ingested: truthIds(pipeline).length, missedDays: 0 });
    // Answers, certificates and every count across the histories, as one run would have stored them.
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
    const expected = enrichmentOfTruth(pipeline);
    expect(result.enrichment).toEqual(expected);
    expect(await pipeline.dependencies.store.watermark('GoAuditsIngestion')).toBe('2025-09-15T12:00:00Z');

    const runs = await runsOf<IngestionInput>(pipeline.client, workflowId);
    expect(runs.length).toBeGreaterThan(3);
    // Each run but the last continued as new soon after 60 events; the last enriches what is left.
    expect(runs.slice(0, -1).filter((run) => run.events >= 120)).toEqual([]);
    // Each continued with reports still waiting, and the next one took them over.
    const carried = runs.slice(1).map((run) => run.input.cursor!.enrichment.queued.length);
    expect(carried.filter((queued) => queued > 0)).toEqual(carried);
    expect(runHistoryRows(pipeline).map(({ JobName, Status, Message }) => ({ JobName, Status, Message }))).toEqual([
      { JobName: 'GoAuditsEnrichment', Status: 'Succeeded', Message: countsMessage(expected) },
      { JobName: 'GoAuditsIngestion', Status: 'Succeeded', Message: countsMessage(result.counts) },
    ]);
    const kinds = [];
    for await (const run of pipeline.client.workflow.list({ query: `GoAuditsRunKind = 'backfill' AND WorkflowId = '${workflowId}'` }))
      kinds.push(run);
    expect(kinds.length).toBe(runs.length);
  });

  test(`a run that continues as new with ${MOST_QUEUED_REPORTS} reports and more waiting sends them out at once and reads its next windows`, async () => {
    // About 200 audits a day, the first 8 days read ahead at once: ingestion then holds its next
    // window until fewer than 1,000 wait, and the run continues as new with them waiting.
    const pipeline = await fixture.pipeline({
      simulator: { dataset: { reports: 2400, from: '2025-10-01', to: '2025-10-12', seed: 29 } },
      env: { GOAUDITS_RATE_LIMIT_PER_SECOND: '200', GOAUDITS_ENRICH_BATCH_SIZE: '100', GOAUDITS_ENRICH_CONCURRENCY: '2' },
    });
    const workflowId = 'backfill-full-queue';
    const handle = await pipeline.start(
      ingestionWorkflow,
      { from: '2025-10-01', to: '2025-10-12', windowDays: 1, continueAsNewAfterEvents: 10 },
      workflowId,
    );
    await until(
      () => handle.query<Progress>('progress'),
      (progress) => progress.windowsDone === progress.windowsTotal,
      'the last window read',
      120_000,
    );
    const result = (await handle.result()) as IngestionResult;

    const runs = await runsOf<IngestionInput>(pipeline.client, workflowId);
    expect(Math.max(...runs.slice(1).map((run) => run.input.cursor!.enrichment.queued.length))).toBeGreaterThanOrEqual(MOST_QUEUED_REPORTS);
    expect(result.counts).toMatchObject({ pages: 12, ingested: truthIds(pipeline).length });
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
    expect(result.enrichment).toEqual(enrichmentOfTruth(pipeline));
    await replayRuns(pipeline.client, fixture.server.bundle, workflowId);
  });

  test('a window that times out is split in halves until it goes through', async () => {
    const pipeline = await fixture.pipeline({
      simulator: { dataset: { reports: 40, from: '2025-10-01', to: '2025-10-16', seed: 5 }, summaryMaxDays: 2, hangMs: 100 },
      env: { GOAUDITS_RETRY_ATTEMPTS: '2' },
    });
    const result = await pipeline.execute<IngestionResult>(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-16', windowDays: 8 });
    expect(result.windows).toBe(2);
    expect(result.counts.pages).toBe(8);
    expect(storedIds(pipeline)).toEqual(truthIds(pipeline));
  });

  test('a pause sent the moment a backfill starts is applied, not refused for want of a handler', async () => {
    const pipeline = await fixture.pipeline();
    const handle = await pipeline.start(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-05' });
    expect(await handle.executeUpdate(pauseUpdate)).toMatchObject({ paused: true });
    const held = await until(
      () => handle.query<Progress>('progress'),
      (p) => p.controls.paused,
      'the progress to show the pause',
    );
    expect(held.windowsDone).toBeLessThanOrEqual(1);
    await handle.executeUpdate(resumeUpdate);
    expect(((await handle.result()) as IngestionResult).windows).toBe(5);
  });

  test('pause holds new windows, tune is validated and applied, resume finishes the backfill', async () => {
    const pipeline = await fixture.pipeline({ simulator: { dataset: TWO_MONTHS } });
    const handle = await pipeline.start(ingestionWorkflow, { from: '2025-09-01', to: '2025-10-31', rateLimitPerSecond: 10 });
    await until(
      () => handle.query<Progress>('progress'),
      (p) => p.windowsDone >= 2,
      'two windows',
    );
    const paused = await handle.executeUpdate(pauseUpdate);
    expect(paused.paused).toBe(true);
    const held = await handle.query<Progress>('progress');
    // The windows under way (read ahead), if any, and the running batches end; then nothing is under way.
    await settled(pipeline, handle);
    const atRest = {
      windowsDone: (await handle.query<Progress>('progress')).windowsDone,
      summaryCalls: pipeline.simulator.counters().byEndpoint.summary,
    };
    expect(atRest.windowsDone).toBeLessThanOrEqual(held.windowsDone + (held.windowsInFlight ?? 1));

    const tuned = await handle.executeUpdate(tuneUpdate, { args: [{ concurrency: 3, batchSize: 7, rateLimitPerSecond: 50 }] });
    expect(tuned).toMatchObject({ paused: true, concurrency: 3, batchSize: 7, rateLimitPerSecond: 50 });
    const refused = (tuning: object) => handle.executeUpdate(tuneUpdate, { args: [tuning] }).catch((error: unknown) => error);
    const zero = await refused({ concurrency: 0 });
    expect(zero).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((zero as WorkflowUpdateFailedError).cause?.message).toMatch(/invalid tuning: concurrency/);
    expect(((await refused({ batchsize: 7 })) as WorkflowUpdateFailedError).cause?.message).toMatch(/Unrecognized key.*batchsize/);
    expect((await handle.query<Progress>('progress')).controls.concurrency).toBe(3);
    // Each update woke the paused run; none started a window.
    await settled(pipeline, handle);
    expect({
      windowsDone: (await handle.query<Progress>('progress')).windowsDone,
      summaryCalls: pipeline.simulator.counters().byEndpoint.summary,
    }).toEqual(atRest);

    await handle.executeUpdate(resumeUpdate);
    const result = (await handle.result()) as IngestionResult;
    expect(result.windows).toBe(61);
    expect(storedIds(pipeline)).toEqual(truthIds(pipeline));
  });

  test('cancel stops a backfill cleanly: its row says Cancelled and every stored report is in the ledger', async () => {
    const pipeline = await fixture.pipeline({ simulator: { dataset: TWO_MONTHS } });
    const handle = await pipeline.start(ingestionWorkflow, { from: '2025-09-01', to: '2025-10-31', rateLimitPerSecond: 5 });
    await until(
      () => handle.query<Progress>('progress'),
      (p) => p.windowsDone >= 3,
      'three windows',
    );
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(await failedWorkflowTasks(handle)).toEqual([]);
    expect(ingestionRows(pipeline)).toEqual([
      { Status: 'Cancelled', Message: expect.stringMatching(/\| Error: cancelled by an operator$/) },
    ]);
    const stored = storedIds(pipeline);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.length).toBeLessThan(truthIds(pipeline).length);
    expect(pipeline.count("ProcessedItems WHERE JobName = 'GoAuditsIngestion'")).toBe(stored.length);
  });

  test('a cancel while a window and batches are under way fails no workflow task on its way to Cancelled', async () => {
    const pipeline = await fixture.pipeline({ env: { GOAUDITS_RATE_LIMIT_PER_SECOND: '10', GOAUDITS_ENRICH_BATCH_SIZE: '5' } });
    const handle = await pipeline.start(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-05', windowDays: 2 });
    await until(
      () => handle.query<Progress>('progress'),
      (p) => p.windowsDone > 0,
      'a window done',
    );
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(await failedWorkflowTasks(handle)).toEqual([]);
  });

  test('cancel means stop: no GoAudits call 3 s after it, no write after the rows say Cancelled', async () => {
    const pipeline = await fixture.pipeline({
      simulator: { dataset: { reports: 120, from: '2025-10-01', to: '2025-10-10', seed: 4 }, latencyMs: 400 },
      env: { GOAUDITS_RATE_LIMIT_PER_SECOND: '20', GOAUDITS_ENRICH_BATCH_SIZE: '20', GOAUDITS_ENRICH_CONCURRENCY: '3' },
    });
    const handle = await pipeline.start(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-10' });
    await until(
      () => handle.query<Progress>('progress'),
      (p) => p.enrichment.processed >= 6 && p.batchesRunning > 0,
      'batches under way',
    );
    const cancelledAt = Date.now();
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    // Every batch has ended (its activity closed in the history) and no call is in flight: no straggler can come later.
    await settled(pipeline, handle);
    expect(pipeline.simulator.counters().lastRequestAtMs! - cancelledAt).toBeLessThanOrEqual(3000);

    const rows = pipeline.rows<{ RunId: string; JobName: string; Status: string; RunCompletedUtc: string }>(
      'SELECT RunId, JobName, Status, RunCompletedUtc FROM JobRunHistory ORDER BY JobName',
    );
    expect(rows.map((r) => `${r.JobName} ${r.Status}`)).toEqual(['GoAuditsEnrichment Cancelled', 'GoAuditsIngestion Cancelled']);
    const enrichment = rows[0];
    const lastWrite = pipeline.rows<{ at: string | null }>(
      'SELECT MAX(IngestedAtUtc) AS at FROM GoAuditsReportAnswers WHERE JobRunId = ?',
      enrichment.RunId,
    )[0].at;
    expect(lastWrite).not.toBeNull();
    // Both times are the store's own clock, in whole seconds.
    expect({ lastWrite, writtenAfterCancelled: lastWrite! > enrichment.RunCompletedUtc }).toEqual({
      lastWrite,
      writtenAfterCancelled: false,
    });
    expect(pipeline.count('GoAuditsReportAnswers')).toBeLessThan(
      pipeline.simulator.truth().reports.reduce((n, r) => n + (r.hasDetails ? r.answers.length : 0), 0),
    );
  });

  test('rows a terminated run left Running are closed by the next run of the same job, saying so', async () => {
    const pipeline = await fixture.pipeline({ simulator: { dataset: TWO_MONTHS }, env: { GOAUDITS_END_DATE: '2025-09-02' } });
    const handle = await pipeline.start(ingestionWorkflow, { from: '2025-09-01', to: '2025-10-31', rateLimitPerSecond: 2 });
    await until(
      () => handle.query<Progress>('progress'),
      (p) => p.windowsDone >= 2 && p.enrichment.selected > 0,
      'windows and a batch',
    );
    await handle.terminate('an operator terminated it');
    const open = () => pipeline.rows<{ JobName: string }>("SELECT JobName FROM JobRunHistory WHERE Status = 'Running' ORDER BY JobName");
    expect(open().map((r) => r.JobName)).toEqual(['GoAuditsEnrichment', 'GoAuditsIngestion']);

    const hourly = await pipeline.execute<IngestionResult>(ingestionWorkflow);
    const sweep = await pipeline.execute<EnrichmentResult>(enrichmentWorkflow);
    expect(open()).toEqual([]);
    const closed = pipeline.rows<{ JobName: string; Status: string; Message: string }>(
      'SELECT JobName, Status, Message FROM JobRunHistory WHERE RunId NOT IN (?, ?) ORDER BY JobName',
      hourly.runId,
      sweep.runId,
    );
    expect(closed).toEqual([
      {
        JobName: 'GoAuditsEnrichment',
        Status: 'Failed',
        Message: expect.stringMatching(
          new RegExp(`^closed by run ${sweep.runId} \\(.+\\): its workflow ended TERMINATED without closing this row$`),
        ),
      },
      {
        JobName: 'GoAuditsIngestion',
        Status: 'Failed',
        Message: expect.stringMatching(
          new RegExp(`^closed by run ${hourly.runId} \\(.+\\): its workflow ended TERMINATED without closing this row$`),
        ),
      },
    ]);
  });

  test('a dry run plans and estimates, and calls and writes nothing', async () => {
    const pipeline = await fixture.pipeline({ simulator: { dataset: TWO_MONTHS } });
    await pipeline.execute(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-10' });
    const calls = pipeline.simulator.counters().requests;
    const rows = pipeline.count('JobRunHistory');
    const estimate = await pipeline.execute<Estimate>(ingestionWorkflow, {
      from: '2025-09-01',
      to: '2025-10-31',
      dryRun: true,
      windowDays: 7,
    });
    expect(estimate).toMatchObject({
      dryRun: true,
      kind: 'backfill',
      windows: 9,
      summaryCalls: 9,
      firstWindow: { startDate: '2025-09-01', endDate: '2025-09-07' },
      lastWindow: { startDate: '2025-10-27', endDate: '2025-10-31' },
    });
    // The lane's sustained rate at a limit of 50 with the default 50 ms of safety per second.
    const laneRate = 50 * (1000 / 1050);
    expect(estimate.callsPerSecond).toBeCloseTo(laneRate);
    expect(estimate.expectedReports).toBeGreaterThan(0);
    expect(estimate.estimatedSeconds).toBe(Math.ceil((9 + estimate.expectedReports!) / laneRate));
    expect(pipeline.simulator.counters().requests).toBe(calls);
    expect(pipeline.count('JobRunHistory')).toBe(rows);
  });

  test('the hourly run beside a backfill adds no duplicate and never moves the watermark back', async () => {
    const pipeline = await fixture.pipeline({
      simulator: { dataset: TWO_MONTHS },
      env: { GOAUDITS_START_DATE: '2025-10-20', GOAUDITS_END_DATE: '2025-10-31' },
    });
    const backfill = pipeline.execute<IngestionResult>(ingestionWorkflow, { from: '2025-09-01', to: '2025-10-31' });
    const hourly = pipeline.execute<IngestionResult>(ingestionWorkflow);
    const [b, h] = await Promise.all([backfill, hourly]);
    expect(storedIds(pipeline)).toEqual(truthIds(pipeline));
    expect(b.counts.ingested + h.counts.ingested).toBe(truthIds(pipeline).length);
    const newest = pipeline.simulator
      .truth()
      .reports.map((r) => r.completedAtUtc)
      .sort()
      .pop();
    expect(await pipeline.dependencies.store.watermark('GoAuditsIngestion')).toBe(newest);
    const again = await pipeline.execute<IngestionResult>(ingestionWorkflow);
    expect(again.counts.ingested).toBe(0);
    expect(await pipeline.dependencies.store.watermark('GoAuditsIngestion')).toBe(newest);
  });

  test('the client starts a backfill once per range, and status shows it with its progress', async () => {
    const pipeline = await fixture.pipeline({ simulator: { dataset: TWO_MONTHS } });
    const lines: string[] = [];
    const input = { from: '2025-09-01', to: '2025-10-31', rateLimitPerSecond: 2 };
    const started = await startBackfill(pipeline.client, pipeline.env, input, (line) => lines.push(line));
    const workflowId = backfillWorkflowId('2025-09-01', '2025-10-31');
    expect(started).toMatchObject({ workflowId });
    expect(await startBackfill(pipeline.client, pipeline.env, input, (line) => lines.push(line))).toEqual({
      workflowId,
      alreadyRunning: true,
    });
    expect(lines.join('\n')).toMatch(/already running: goaudits-backfill-2025-09-01-2025-10-31/);

    const handle = pipeline.client.workflow.getHandle(workflowId);
    await until(
      () => handle.query<Progress>('progress'),
      (p) => p.windowsDone >= 1,
      'a window',
    );
    const shown: string[] = [];
    await until(
      async () => {
        shown.length = 0;
        await status(pipeline.client, pipeline.env, (line) => shown.push(line));
        return shown.join('\n');
      },
      (text) => text.includes(workflowId),
      'the backfill in the status',
    );
    expect(shown.join('\n')).toMatch(/### GoAudits backfill 2025-09-01\.\.2025-10-31: running\n- window \d+ of 61/);
    await handle.cancel();
  });

  test('status shows a running sweep with its progress', async () => {
    const pipeline = await fixture.pipeline();
    const sweep = await pipeline.start(enrichmentWorkflow, { reportIds: ['R1', 'R2', 'R3'], paused: true });
    const shown = await until(
      async () => {
        const lines: string[] = [];
        await status(pipeline.client, pipeline.env, (line) => lines.push(line));
        return lines.join('\n');
      },
      (text) => text.includes(sweep.workflowId) && text.includes('waiting 3'),
      'the sweep in the status',
    );
    expect(shown).toMatch(
      /### GoAudits enrichment: \*\*paused\*\*\n- reports ingested 0, enriched 0, failed 0, waiting 3, batches running 0/,
    );
    await sweep.cancel();
  });
});

test('the client refuses a bad backfill before starting anything', async () => {
  const client = { workflow: { start: jest.fn() } };
  const env = { TEMPORAL_TASK_QUEUE: 'goaudits' } as never;
  await expect(startBackfill(client as never, env, { from: '2025-10-32', to: '2025-10-31' }, () => undefined)).rejects.toThrow(
    /invalid backfill input: from: not a calendar date/,
  );
  expect(client.workflow.start).not.toHaveBeenCalled();
});
