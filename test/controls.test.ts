import type { WorkflowHandle } from '@temporalio/client';
import { usePipelines } from './harness';
import { enrichmentOfTruth, tablesOf, truthOf } from './tables';
import { until } from './until';
import { activitiesOf, replayRuns, settled, updateEventIds } from './workflow-history';
import type { IngestionResult } from '../workflows/ingest';
import type { Progress } from '../workflows/progress';
import { pauseUpdate, resumeUpdate, tuneUpdate } from '../workflows/controls';
import type { EnrichBatchInput } from '../activities/enrichment-batch';
import { ingestionWorkflow } from '../workflows';

/**
 * An operator's tune, pause and resume, observed where they matter: in what GoAudits sees (the
 * simulator's calls in flight, calls per second, last request) and in the activities the run
 * schedules, not in the controls the run echoes back.
 */

jest.setTimeout(240_000);

const fixture = usePipelines();

const progressOf = (handle: WorkflowHandle) => handle.query<Progress>('progress');

/** The reports of each enrichment batch the run scheduled, and whether it was scheduled after the run's first `tune`. */
async function batchesOf(handle: WorkflowHandle) {
  const history = await handle.fetchHistory();
  const [tunedAt] = updateEventIds(history, 'tune');
  return activitiesOf(history)
    .filter((activity) => activity.type === 'enrichBatch')
    .map((activity) => ({
      reports: (activity.input as EnrichBatchInput).reportIds.length,
      afterTune: tunedAt !== undefined && activity.scheduledEventId > tunedAt,
      closed: activity.closed,
    }));
}

describe('tune and pause, as GoAudits sees them', () => {
  test('concurrency raised mid-run shows in the calls GoAudits has in flight, and a new batch size in the batches that follow', async () => {
    const p = await fixture.pipeline({
      // Each answer takes 150 ms: the batches running at once are the calls in flight at once.
      simulator: { dataset: { reports: 60, from: '2025-10-01', to: '2025-10-05', seed: 7 }, latencyMs: 150 },
      env: { GOAUDITS_ENRICH_BATCH_SIZE: '6', GOAUDITS_ENRICH_CONCURRENCY: '1' },
    });
    const handle = await p.start(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-05' });
    await until(
      () => progressOf(handle),
      (progress) => progress.windowsDone === progress.windowsTotal,
      'every window read',
    );
    // Only batches call from now on: one at a time.
    p.simulator.resetCounters();
    const before = await until(
      () => progressOf(handle),
      (progress) => progress.enrichment.processed >= 12,
      'two batches enriched',
    );
    expect(p.simulator.counters().peakConcurrency).toBe(1);

    await handle.executeUpdate(tuneUpdate, { args: [{ concurrency: 3, batchSize: 3 }] });
    p.simulator.resetCounters();
    const result = (await handle.result()) as IngestionResult;
    expect(p.simulator.counters().peakConcurrency).toBe(3);

    // Every batch scheduled after the tune has the new size; those before, the old one.
    const batches = await batchesOf(handle);
    const sizes = (afterTune: boolean) => batches.filter((batch) => batch.afterTune === afterTune).map((batch) => batch.reports);
    expect(sizes(false).every((size) => size === 6)).toBe(true);
    expect(sizes(false).length).toBeGreaterThanOrEqual(before.enrichment.processed / 6);
    expect(sizes(true).length).toBeGreaterThanOrEqual(3);
    expect(
      sizes(true)
        .slice(0, -1)
        .every((size) => size === 3),
    ).toBe(true);
    expect(sizes(true).at(-1)).toBeLessThanOrEqual(3);

    expect(tablesOf(p)).toEqual(truthOf(p));
    expect(result.enrichment).toEqual(enrichmentOfTruth(p));
  });

  test("a run's own rate set mid-run is the rate GoAudits sees: summary windows and batches together", async () => {
    const p = await fixture.pipeline({
      // Five audits a day over two months: windows and batches both have work for the whole test.
      simulator: { dataset: { reports: 300, from: '2025-09-01', to: '2025-10-31', seed: 11 } },
      env: { GOAUDITS_ENRICH_BATCH_SIZE: '5', GOAUDITS_ENRICH_CONCURRENCY: '1' },
    });
    const handle = await p.start(ingestionWorkflow, { from: '2025-09-01', to: '2025-10-31', rateLimitPerSecond: 5 });
    await until(
      () => progressOf(handle),
      (progress) => progress.windowsDone >= 3 && progress.batchesRunning > 0,
      'windows read and a batch running',
    );
    const rate = 2;
    await handle.executeUpdate(tuneUpdate, { args: [{ rateLimitPerSecond: rate }] });
    // A batch keeps the pace it started with: measure once every batch started before the tune has ended.
    await until(
      () => batchesOf(handle),
      (batches) => batches.every((batch) => batch.afterTune || batch.closed),
      'the batches started before the tune to end',
    );
    p.simulator.resetCounters();
    const resetAtMs = Date.now();
    const seen = await until(
      async () => p.simulator.counters(),
      (counters) => counters.requests >= 20,
      'twenty calls at the new rate',
      60_000,
    );
    const measuredUntilMs = Date.now();
    const during = await progressOf(handle);
    // Both of the run's callers were at work: the window reader and a batch.
    expect(during.windowsDone).toBeLessThan(during.windowsTotal);
    expect(seen.byEndpoint.summary).toBeGreaterThan(0);
    expect(seen.byEndpoint.details).toBeGreaterThan(0);
    // Each of the run's 2 callers (the window reader, the one batch slot) paces its own share of
    // the rate, and may land a call a lane spacing late; over the measure, at most one call more
    // each at either end than the rate allows, and in any second at most the rate plus one each.
    const callers = 2;
    const seconds = (measuredUntilMs - resetAtMs) / 1000;
    expect(seen.requests).toBeLessThanOrEqual(Math.floor(rate * seconds) + 2 * callers);
    expect(seen.peakCallsPerSecond).toBeLessThanOrEqual(rate + callers);

    // Back to the lane's pace to finish: nothing was lost on the way.
    await handle.executeUpdate(tuneUpdate, { args: [{ rateLimitPerSecond: 1000 }] });
    const result = (await handle.result()) as IngestionResult;
    expect(tablesOf(p)).toEqual(truthOf(p));
    expect(result.enrichment).toEqual(enrichmentOfTruth(p));
    await replayRuns(p.client, fixture.server.bundle, handle.workflowId);
  });

  test('a pause during enrichment stops the details calls: none arrives once the running batches end; resume finishes the run', async () => {
    const p = await fixture.pipeline({
      simulator: { dataset: { reports: 90, from: '2025-10-01', to: '2025-10-03', seed: 19 }, latencyMs: 50 },
      env: { GOAUDITS_ENRICH_BATCH_SIZE: '5', GOAUDITS_ENRICH_CONCURRENCY: '2' },
    });
    const handle = await p.start(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-03' });
    await until(
      () => progressOf(handle),
      (progress) => progress.windowsDone === progress.windowsTotal && progress.enrichment.processed >= 10 && progress.batchesRunning === 2,
      'two batches running',
    );
    await handle.executeUpdate(pauseUpdate);
    // The running batches finish; nothing new starts.
    await settled(p, handle);
    const held = await progressOf(handle);
    expect(held).toMatchObject({ batchesRunning: 0, controls: { paused: true } });
    expect(held.queued).toBeGreaterThan(0);
    const atPause = p.simulator.counters();

    // An update wakes the paused run: were the pause not holding, that workflow task would start a batch.
    await handle.executeUpdate(tuneUpdate, { args: [{ batchSize: 4 }] });
    await settled(p, handle);
    const later = p.simulator.counters();
    expect({ requests: later.requests, lastRequestAtMs: later.lastRequestAtMs }).toEqual({
      requests: atPause.requests,
      lastRequestAtMs: atPause.lastRequestAtMs,
    });
    expect((await progressOf(handle)).enrichment).toEqual(held.enrichment);

    await handle.executeUpdate(resumeUpdate);
    const result = (await handle.result()) as IngestionResult;
    expect(tablesOf(p)).toEqual(truthOf(p));
    expect(result.enrichment).toEqual(enrichmentOfTruth(p));
  });
});
