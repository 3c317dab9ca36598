import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import type { WorkflowHandle } from '@temporalio/client';
import { usePipelines, type Pipeline } from './harness';
import { enrichmentOfTruth, messageCounts, runHistoryRows, runHistoryTotals, runHistoryTotalsOfTruth, tablesOf, truthOf } from './tables';
import { until } from './until';
import { activitiesOf, failureTypes } from './workflow-history';
import type { EnrichmentResult } from '../workflows/enrich';
import type { Progress } from '../workflows/progress';
import { AUTH_HALT } from '../shared/failure-types';
import { enrichmentWorkflow, ingestionWorkflow } from '../workflows';

/**
 * GoAudits refusing the token, end to end, with two worker processes sharing the call lane: the
 * run halts visibly (both rows Failed with authFatal, the workflow failed GoAuditsAuthHalt),
 * every process stops calling, and once the token is rotated the next runs finish the tables.
 */

jest.setTimeout(300_000);

const fixture = usePipelines();

/**
 * Concurrency 3 at 5 calls a second: lane starts are 210 ms apart, longer than the refusing
 * process needs to record the refused token in the lane, so at most the one call already given
 * its start goes after the refusal (the README's "at most one, with two workers").
 */
const CALLING = { GOAUDITS_RATE_LIMIT_PER_SECOND: '5', GOAUDITS_ENRICH_BATCH_SIZE: '5', GOAUDITS_ENRICH_CONCURRENCY: '3' };

const twoWorkerProcesses = (p: Pipeline) => Promise.all([p.startWorkerProcess('worker-a'), p.startWorkerProcess('worker-b')]);

/** Stops a worker process as its orchestrator would (SIGTERM) and waits until it has exited. */
const stopped = (worker: ChildProcess) =>
  worker.exitCode !== null || worker.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.kill('SIGTERM');
      });

/**
 * The run halted: the workflow failed with GoAuditsAuthHalt, both rows are Failed with authFatal,
 * both worker processes had called GoAudits for it and are still up, and the refused token got
 * at most one more call from either of them.
 */
async function expectHalted(p: Pipeline, handle: WorkflowHandle, workers: ChildProcess[]) {
  expect(failureTypes(await handle.result().catch((error: unknown) => error))).toContain(AUTH_HALT);
  const rows = runHistoryRows(p);
  expect(rows.map((row) => `${row.JobName} ${row.Status}`)).toEqual(['GoAuditsEnrichment Failed', 'GoAuditsIngestion Failed']);
  for (const row of rows) expect(row.Message).toMatch(/ \| Error: authFatal: /);
  expect(p.simulator.counters().requestsAfterRevocation).toBeLessThanOrEqual(1);
  const callers = activitiesOf(await handle.fetchHistory())
    .filter((activity) => activity.type === 'ingestWindow' || activity.type === 'enrichBatch')
    .flatMap((activity) => activity.startedBy);
  expect(new Set(callers)).toEqual(new Set(['worker-a', 'worker-b']));
  expect(workers.map((worker) => worker.exitCode)).toEqual([null, null]);
  // What the halted enrichment row counts is what it stored.
  const enrichment = messageCounts(rows[0].Message);
  expect(enrichment.Processed).toBe(p.count("ProcessedItems WHERE JobName = 'GoAuditsEnrichment'"));
  expect(enrichment.AnswersInserted).toBe(p.count('GoAuditsReportAnswers'));
  return { ingestion: messageCounts(rows[1].Message), enrichment };
}

/** The operator's rotation: GoAudits takes a new token, and the worker processes restart with it in their environment. */
async function rotateToken(p: Pipeline, workers: ChildProcess[]): Promise<ChildProcess[]> {
  const rotated = `rotated-${randomUUID()}`;
  p.simulator.setToken(rotated);
  p.tokenEnv.GOAUDITS_BEARER_TOKEN = rotated;
  await Promise.all(workers.map(stopped));
  return twoWorkerProcesses(p);
}

/**
 * The next hourly run and a sweep finish what the halted run left: the tables are exactly the
 * truth, and over every run's row each report is ingested once and enriched once.
 */
async function expectFinishedByTheNextRuns(p: Pipeline) {
  await p.execute(ingestionWorkflow);
  const sweep = await p.execute<EnrichmentResult>(enrichmentWorkflow);
  const truth = truthOf(p);
  expect(tablesOf(p)).toEqual(truth);
  const expected = enrichmentOfTruth(p);
  expect(sweep.counts).toMatchObject({ failedCount: expected.failedCount, authFatal: false });
  expect(runHistoryTotals(p)).toEqual(runHistoryTotalsOfTruth(p));
  // The halted run's two rows stay Failed; every later run succeeded.
  const rows = runHistoryRows(p);
  expect(rows.filter((row) => row.Status !== 'Succeeded').map((row) => row.Message.includes('authFatal'))).toEqual([true, true]);
}

describe('GoAudits refuses the token, with two worker processes', () => {
  test('refused (401) while summary windows are still read: both processes halt, and after a rotation the next runs finish', async () => {
    const p = await fixture.pipeline({
      // Revoked soon: the first windows are read ahead at once, so by the 24th call all 14 would be read.
      simulator: { dataset: { reports: 100, from: '2025-10-01', to: '2025-10-14', seed: 17 }, revokeTokenAfterCalls: 10 },
      env: { GOAUDITS_START_DATE: '2025-10-01', GOAUDITS_END_DATE: '2025-10-14', ...CALLING },
      inProcessWorker: false,
    });
    const workers = await twoWorkerProcesses(p);
    const handle = await p.start(ingestionWorkflow);
    const halted = await expectHalted(p, handle, workers);
    expect(p.simulator.counters().authFailures).toBeGreaterThan(0);
    // Halted with windows still to read.
    expect(halted.ingestion.Pages).toBeLessThan(14);

    await rotateToken(p, workers);
    await expectFinishedByTheNextRuns(p);
  });

  test('refused (403) while two batches run three calls: both processes halt, and after a rotation the next runs finish', async () => {
    const p = await fixture.pipeline({
      simulator: { dataset: { reports: 90, from: '2025-10-01', to: '2025-10-03', seed: 19 }, revokedStatus: 403 },
      env: { GOAUDITS_START_DATE: '2025-10-01', GOAUDITS_END_DATE: '2025-10-03', ...CALLING },
      inProcessWorker: false,
    });
    const workers = await twoWorkerProcesses(p);
    const handle = await p.start(ingestionWorkflow);
    await until(
      () => handle.query<Progress>('progress'),
      // Concurrency 3: two batches, with 2 and 1 reports in flight.
      (progress) => progress.windowsDone === progress.windowsTotal && progress.batchesRunning === 2 && progress.enrichment.processed >= 10,
      'every window read and two batches running',
    );
    p.simulator.setFaults({ revokeTokenAfterCalls: 0 });
    const halted = await expectHalted(p, handle, workers);
    expect(halted.ingestion.Pages).toBe(3);
    expect(halted.enrichment.Processed).toBeLessThan(enrichmentOfTruth(p).processed);

    await rotateToken(p, workers);
    await expectFinishedByTheNextRuns(p);
  });
});
