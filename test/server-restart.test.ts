import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestServer, type Pipeline } from './harness';
import { freePort } from './free-port';
import { enrichmentOfTruth, runHistoryRows, tablesOf, truthOf } from './tables';
import { until } from './until';
import type { IngestionResult } from '../workflows/ingest';
import { countsMessage } from '../shared/counts';
import { ingestionWorkflow } from '../workflows';

/**
 * Temporal itself restarting under a running ingestion: a dev server of this file's own, on a
 * fixed port and persisting to a SQLite file, torn down while GoAudits calls are in flight and
 * started again on the same port and file. The worker process reconnects by itself.
 */

jest.setTimeout(300_000);

let dir: string;
let server: TestServer | undefined;
let pipeline: Pipeline | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'goaudits-temporal-'));
  server = await TestServer.start({ port: await freePort(), dbFilename: join(dir, 'temporal.db') });
});

afterAll(async () => {
  await pipeline?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a Temporal restart mid-run: the worker process reconnects and the run finishes, the tables exactly the truth', async () => {
  // Answers slow enough that a summary window or a batch is always under way when the server goes.
  pipeline = await server!.pipeline({
    simulator: { dataset: { reports: 60, from: '2025-10-01', to: '2025-10-05', seed: 7 }, latencyMs: 250 },
    env: {
      GOAUDITS_START_DATE: '2025-10-01',
      GOAUDITS_END_DATE: '2025-10-05',
      GOAUDITS_ENRICH_BATCH_SIZE: '5',
      GOAUDITS_ENRICH_CONCURRENCY: '2',
    },
    inProcessWorker: false,
  });
  const worker = await pipeline.startWorkerProcess('worker-a');
  const { workflowId } = await pipeline.start(ingestionWorkflow);
  await until(
    async () => pipeline!.simulator.counters(),
    (counters) => counters.byEndpoint.details >= 5 && counters.inFlight.summary + counters.inFlight.details > 0,
    'GoAudits calls in flight, batches under way',
  );
  const p = pipeline;
  await server!.restart(async () => {
    // While Temporal is down, the calls already made end and nothing new starts: no activity can be handed out.
    await until(
      async () => p.simulator.counters().inFlight,
      (inFlight) => inFlight.summary + inFlight.details === 0,
      'the calls in flight to end',
    );
  });
  const result = (await pipeline.client.workflow.getHandle(workflowId).result()) as IngestionResult;

  const truth = truthOf(pipeline);
  expect(tablesOf(pipeline)).toEqual(truth);
  expect(worker.exitCode).toBeNull();
  expect(result.counts).toMatchObject({ ingested: truth.reports.length, pages: 5, missedDays: 0 });
  // A batch whose completion was lost with the server is retried: its reports done are then found done (enriched elsewhere).
  const expected = enrichmentOfTruth(pipeline);
  const { processed, enrichedElsewhereCount, failedCount } = result.enrichment;
  expect({ done: processed + enrichedElsewhereCount, failedCount }).toEqual({
    done: expected.processed,
    failedCount: expected.failedCount,
  });
  expect(runHistoryRows(pipeline).map(({ JobName, Status, Message }) => ({ JobName, Status, Message }))).toEqual([
    { JobName: 'GoAuditsEnrichment', Status: 'Succeeded', Message: countsMessage(result.enrichment) },
    { JobName: 'GoAuditsIngestion', Status: 'Succeeded', Message: countsMessage(result.counts) },
  ]);
  expect(pipeline.count("ProcessedItems WHERE JobName = 'GoAuditsIngestion'")).toBe(truth.reports.length);
  expect(pipeline.count("ProcessedItems WHERE JobName = 'GoAuditsEnrichment'")).toBe(expected.processed);
});
