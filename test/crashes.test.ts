import { temporal } from '@temporalio/proto';
import { usePipelines, type Pipeline } from './harness';
import { tablesOf, truthOf, withoutDetails } from './tables';
import { until } from './until';
import type { IngestionResult } from '../workflows/ingest';
import { ingestionWorkflow } from '../workflows';

jest.setTimeout(240_000);

const fixture = usePipelines();

/** Five days of audits, answered slowly enough that calls are always under way. */
const SLOW_FIVE_DAYS = { dataset: { reports: 60, from: '2025-10-01', to: '2025-10-05', seed: 7 }, latencyMs: 250 };
const FIVE_DAYS_ENV = {
  GOAUDITS_START_DATE: '2025-10-01',
  GOAUDITS_END_DATE: '2025-10-05',
  GOAUDITS_ENRICH_BATCH_SIZE: '5',
  GOAUDITS_ENRICH_CONCURRENCY: '2',
};

/** Twelve days: more than the windows a run reads ahead at first, so windows are still read while the first batches call. */
const SLOW_TWELVE_DAYS = { dataset: { reports: 60, from: '2025-10-01', to: '2025-10-12', seed: 7 }, latencyMs: 250 };
const TWELVE_DAYS_ENV = { ...FIVE_DAYS_ENV, GOAUDITS_END_DATE: '2025-10-12' };

const runRows = (p: Pipeline) => p.rows<{ JobName: string; Status: string }>('SELECT JobName, Status FROM JobRunHistory ORDER BY JobName');

describe('worker crashes', () => {
  test('a worker process killed with kill -9 while a summary window and a batch are under way: a second process finishes the run, the tables exactly the truth', async () => {
    const pipeline = await fixture.pipeline({ simulator: SLOW_TWELVE_DAYS, env: TWELVE_DAYS_ENV, inProcessWorker: false });
    const first = await pipeline.startWorkerProcess('worker-a');
    const handle = await pipeline.start(ingestionWorkflow);
    await until(
      async () => pipeline.simulator.counters(),
      (counters) => counters.byEndpoint.summary >= 1 && counters.inFlight.summary > 0 && counters.inFlight.details > 0,
      'a window and a batch in flight at once',
    );
    first.kill('SIGKILL');
    await pipeline.startWorkerProcess('worker-b');
    const result = (await handle.result()) as IngestionResult;

    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
    const truth = truthOf(pipeline);
    expect(result.counts).toMatchObject({ ingested: truth.reports.length, pages: 12, missedDays: 0 });
    // Every report in exactly one bucket: enriched (by either process), found done by the retry, or without details.
    const { processed, enrichedElsewhereCount, failedCount } = result.enrichment;
    expect({ done: processed + enrichedElsewhereCount, failedCount }).toEqual({
      done: truth.reports.length - withoutDetails(pipeline),
      failedCount: withoutDetails(pipeline),
    });
    expect(runRows(pipeline)).toEqual([
      { JobName: 'GoAuditsEnrichment', Status: 'Succeeded' },
      { JobName: 'GoAuditsIngestion', Status: 'Succeeded' },
    ]);
    expect(pipeline.count("ProcessedItems WHERE JobName = 'GoAuditsIngestion'")).toBe(truth.reports.length);
  });

  test('two worker processes share the rate limit: GoAudits never sees more than the limit in a second, and sends no 429', async () => {
    const pipeline = await fixture.pipeline({
      simulator: { dataset: SLOW_FIVE_DAYS.dataset, latencyMs: 30, rateLimitPerSecond: 8 },
      env: { ...FIVE_DAYS_ENV, GOAUDITS_RATE_LIMIT_PER_SECOND: '8', GOAUDITS_ENRICH_CONCURRENCY: '4' },
      inProcessWorker: false,
    });
    await Promise.all([pipeline.startWorkerProcess('worker-a'), pipeline.startWorkerProcess('worker-b')]);
    await pipeline.execute<IngestionResult>(ingestionWorkflow);
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
    const { pollers } = await pipeline.client.workflowService.describeTaskQueue({
      namespace: pipeline.env.TEMPORAL_NAMESPACE,
      taskQueue: { name: pipeline.env.GOAUDITS_API_TASK_QUEUE },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    expect(pollers.map((poller) => poller.identity).sort()).toEqual(['worker-a', 'worker-b']);
    const counters = pipeline.simulator.counters();
    expect({ rateLimited: counters.rateLimited, atMostTheLimit: counters.peakCallsPerSecond <= 8 }).toEqual({
      rateLimited: 0,
      atMostTheLimit: true,
    });
    expect(counters.requests).toBe(counters.served + counters.faults);
  });
});
