import type { WorkflowHandle } from '@temporalio/client';
import { usePipelines } from './harness';
import { tablesOf, truthOf } from './tables';
import { until } from './until';
import type { IngestionResult } from '../workflows/ingest';
import { callsMade, type Progress } from '../workflows/progress';
import { tuneUpdate } from '../workflows/controls';
import { ingestionWorkflow } from '../workflows';

/**
 * The call lane's priorities, budgets and quota waits, as GoAudits and the operator see them:
 * the calls the simulator received, what `status` and the progress query say, and the tables
 * against the simulator's truth at the end.
 */

jest.setTimeout(300_000);

const fixture = usePipelines();

const progressOf = (handle: WorkflowHandle) => handle.query<Progress>('progress');
const callsOf = (progress: Progress) => callsMade(progress.ingestion, progress.enrichment);

describe('budgets and quotas', () => {
  test('a backfill with a budget of 60 calls a day stops at 60, says so in status, and finishes exact once tuned higher', async () => {
    const p = await fixture.pipeline({
      simulator: { dataset: { reports: 120, from: '2025-10-01', to: '2025-10-10', seed: 11 } },
      env: { GOAUDITS_ENRICH_CONCURRENCY: '4', GOAUDITS_ENRICH_BATCH_SIZE: '10' },
    });
    const workflowId = 'goaudits-backfill-2025-10-01-2025-10-10';
    const handle = await p.start(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-10', maxCallsPerDay: 60 }, workflowId);
    const waiting = await until(
      () => progressOf(handle),
      (progress) => progress.laneWait?.reason === 'budget',
      'the backfill waiting for budget',
    );
    const nextUtcDay = `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T00:00Z`;
    expect(waiting.laneWait).toMatchObject({ callsToday: 60, maxCallsPerDay: 60 });
    // Its calls in flight have ended: GoAudits saw no more than the budget.
    await until(
      async () => p.simulator.counters(),
      (counters) => counters.inFlight.details + counters.inFlight.summary === 0,
      'no call in flight',
    );
    expect(p.simulator.counters().requests).toBeLessThanOrEqual(60);
    expect(p.simulator.counters().requests).toBeGreaterThanOrEqual(55);

    const status = p.runClient(['status']);
    expect(await status.exited).toBe(0);
    expect(status.stdout).toContain(`waiting for budget until ${nextUtcDay} (calls today 60 of 60)`);

    await handle.executeUpdate(tuneUpdate, { args: [{ maxCallsPerDay: 100_000 }] });
    const result = (await handle.result()) as IngestionResult;
    expect(tablesOf(p)).toEqual(truthOf(p));
    expect(result.counts.missedDays).toBe(0);
    expect(result.enrichment.failedCount).toBe(p.simulator.truth().reports.filter((r) => !r.hasDetails).length);
  });

  test('a backfill waiting for budget can be cancelled: its rows end Cancelled', async () => {
    const p = await fixture.pipeline({ env: { GOAUDITS_BACKFILL_MAX_CALLS_PER_DAY: '20' } });
    const handle = await p.start(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-05' }, 'goaudits-backfill-2025-10-01-2025-10-05');
    await until(
      () => progressOf(handle),
      (progress) => progress.laneWait?.reason === 'budget',
      'the backfill waiting for budget',
    );
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(p.rows('SELECT JobName, Status FROM JobRunHistory ORDER BY JobName')).toEqual([
      { JobName: 'GoAuditsEnrichment', Status: 'Cancelled' },
      { JobName: 'GoAuditsIngestion', Status: 'Cancelled' },
    ]);
  });

  test('a budgeted backfill goes on by itself when the (test-short) day turns, and finishes exact', async () => {
    const dayMs = 12_000;
    const p = await fixture.pipeline({
      simulator: { dataset: { reports: 60, from: '2025-10-01', to: '2025-10-05', seed: 7 } },
      env: { GOAUDITS_BUDGET_DAY_MS: String(dayMs), GOAUDITS_BACKFILL_MAX_CALLS_PER_DAY: '30' },
    });
    const workflowId = 'goaudits-backfill-2025-10-01-2025-10-05';
    const handle = await p.start(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-05' }, workflowId);
    await until(
      () => progressOf(handle),
      (progress) => progress.laneWait?.reason === 'budget' && progress.controls.maxCallsPerDay === 30,
      'the backfill waiting for the next day (GOAUDITS_BACKFILL_MAX_CALLS_PER_DAY)',
    );
    const result = (await handle.result()) as IngestionResult;
    expect(tablesOf(p)).toEqual(truthOf(p));
    const days = p.rows<{ day: number; calls: number }>(
      'SELECT BudgetDay AS day, Calls AS calls FROM GoAuditsCallBudgets WHERE RunKey = ? ORDER BY BudgetDay',
      workflowId,
    );
    expect(days.length).toBeGreaterThanOrEqual(2);
    expect(days.every(({ calls }) => calls <= 30)).toBe(true);
    // Every window and every report's details, over the days: nothing was given up.
    expect(days.reduce((sum, { calls }) => sum + calls, 0)).toBeGreaterThanOrEqual(result.counts.pages + result.counts.ingested);
  });

  test('a spent quota (429, Retry-After 10 s) holds every run without spending tries, shows the wait, and the runs finish exact', async () => {
    const p = await fixture.pipeline({
      simulator: { dataset: { reports: 80, from: '2025-10-01', to: '2025-10-08', seed: 5 }, latencyMs: 30 },
      env: { GOAUDITS_RATE_LIMIT_PER_SECOND: '10', GOAUDITS_START_DATE: '2025-10-06' },
    });
    const backfill = await p.start(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-05' }, 'goaudits-backfill-2025-10-01-2025-10-05');
    await until(
      () => progressOf(backfill),
      (progress) => progress.enrichment.processed >= 5,
      'the backfill enriching',
    );
    const hourly = await p.start(ingestionWorkflow, { to: '2025-10-08' }, 'goaudits-ingestion-hourly-test');
    p.simulator.setFaults({ quotaSeconds: 10 });
    for (const handle of [backfill, hourly]) {
      const waiting = await until(
        () => progressOf(handle),
        (progress) => progress.laneWait?.reason === 'quota',
        'the run waiting for the quota',
      );
      expect(waiting.laneWait!.untilMs).toBeGreaterThan(Date.now());
    }
    const status = p.runClient(['status']);
    expect(await status.exited).toBe(0);
    expect(status.stdout).toMatch(/GoAudits asks us to wait until \d{4}-\d\d-\d\dT[\d:]+Z/);

    const results = (await Promise.all([backfill.result(), hourly.result()])) as IngestionResult[];
    expect(tablesOf(p)).toEqual(truthOf(p));
    // No try was spent: no report failed, no day was missed.
    const withoutDetails = p.simulator.truth().reports.filter((r) => !r.hasDetails).length;
    expect(results.reduce((sum, r) => sum + r.enrichment.failedCount, 0)).toBe(withoutDetails);
    expect(results.map((r) => r.counts.missedDays)).toEqual([0, 0]);
    // Each run learned of the quota from one 429 of its own at most; nothing else came during it but calls already on their way.
    expect(p.simulator.counters().callsDuringQuota).toBeLessThanOrEqual(2);
  });
});

describe('priorities', () => {
  test('with two worker processes, an hourly run takes the lane before a busy backfill, which still ends exact', async () => {
    const p = await fixture.pipeline({
      simulator: { dataset: { reports: 200, from: '2025-10-01', to: '2025-10-20', seed: 3 }, latencyMs: 40 },
      env: { GOAUDITS_RATE_LIMIT_PER_SECOND: '10', GOAUDITS_START_DATE: '2025-10-18' },
      inProcessWorker: false,
    });
    await Promise.all([p.startWorkerProcess('worker-a'), p.startWorkerProcess('worker-b')]);
    const backfill = await p.start(
      ingestionWorkflow,
      { from: '2025-10-01', to: '2025-10-17', concurrency: 4, batchSize: 10 },
      'goaudits-backfill-2025-10-01-2025-10-17',
    );
    await until(
      () => progressOf(backfill),
      (progress) => progress.enrichment.processed >= 20,
      'the backfill enriching at full speed',
    );
    const before = callsOf(await progressOf(backfill));
    const hourly = await p.start(ingestionWorkflow, { to: '2025-10-20', concurrency: 2, batchSize: 10 }, 'goaudits-ingestion-hourly-test');
    const hourlyResult = (await hourly.result()) as IngestionResult;
    const backfillDuring = callsOf(await progressOf(backfill)) - before;
    const hourlyCalls = hourlyResult.counts.pages + hourlyResult.enrichment.processed + hourlyResult.enrichment.failedCount;
    // First come, first served, the backfill's four callers would have taken about two calls for each of the hourly run's.
    expect(hourlyCalls).toBeGreaterThan(20);
    expect(backfillDuring).toBeLessThan(hourlyCalls / 2);
    await backfill.result();
    expect(tablesOf(p)).toEqual(truthOf(p));
    expect(p.simulator.counters().peakCallsPerSecond).toBeLessThanOrEqual(10);
  });
});
