import { usePipelines, type Pipeline } from './harness';
import { tablesOf, truthOf } from './tables';
import { until } from './until';
import type { IngestionResult } from '../workflows/ingest';
import { ingestionWorkflow } from '../workflows';
import { INGESTION_JOB } from '../shared/jobs';
import { queryProgress } from '../client/progress-query';
import { progressMarkdown } from '../workflows/progress';

jest.setTimeout(240_000);

const fixture = usePipelines();

/** Ten days of audits from a GoAudits that answers in about 400 ms (a tail to 900 ms), at 10 calls a second. */
const SLOW = {
  dataset: { reports: 80, from: '2025-10-01', to: '2025-10-10', seed: 11 },
  latencyMs: 400,
  latencyP95Ms: 900,
  rateLimitPerSecond: 10,
};
const ENV = {
  GOAUDITS_START_DATE: '2025-10-01',
  GOAUDITS_END_DATE: '2025-10-10',
  GOAUDITS_RATE_LIMIT_PER_SECOND: '10',
  GOAUDITS_LOOKBACK_DAYS: '0',
};

const storedTime = (iso: string) => iso.replace('T', ' ').replace('Z', '');

/**
 * Watches the watermark while the run goes on: each time, every report GoAudits has up to the
 * watermark must be stored already (the watermark never passes a window not saved). Returns
 * the watermarks seen and the breaches, when stopped.
 */
function watchWatermark(pipeline: Pipeline) {
  const seen = new Set<string>();
  const breaches: string[] = [];
  const truth = pipeline.simulator.truth().reports.map((r) => ({ id: r.id, at: storedTime(r.completedAtUtc) }));
  const timer = setInterval(() => {
    try {
      const watermark = pipeline.rows<{ at: string | null }>(
        'SELECT WatermarkUtc AS at FROM JobWatermark WHERE JobName = ?',
        INGESTION_JOB,
      )[0]?.at;
      if (!watermark) return;
      seen.add(watermark);
      const stored = new Set(pipeline.rows<{ id: string }>('SELECT GoAuditsReportId AS id FROM GoAuditsReports').map((r) => r.id));
      for (const report of truth)
        if (report.at <= watermark && !stored.has(report.id)) breaches.push(`${report.id} (${report.at}) under ${watermark}`);
    } catch {
      // The database file is not there yet.
    }
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      return { seen: [...seen].sort(), breaches };
    },
  };
}

describe('GoAudits answering slowly', () => {
  test('with the default settings several calls are in flight, windows read ahead; no second over the limit, no 429, the tables exact', async () => {
    const pipeline = await fixture.pipeline({ simulator: SLOW, env: ENV });
    const watch = watchWatermark(pipeline);
    const handle = await pipeline.start(ingestionWorkflow);
    await until(
      async () => pipeline.simulator.counters(),
      (counters) => counters.inFlight.summary >= 2,
      'two summary windows in flight at once',
    );
    // What `status` and the live progress show: the run's calls in flight and the latency its worker sees.
    const shown = await until(
      () => queryProgress(pipeline.client, handle.workflowId),
      (progress) => (progress.calls?.inFlight ?? 0) > 2 && progress.calls?.p95Ms !== undefined,
      'calls in flight and the latency in the progress',
    );
    expect(progressMarkdown(shown)).toMatch(/calls in flight \d+, latency p50 \d+ ms, p95 \d+ ms/);
    const result = (await handle.result()) as IngestionResult;
    const { seen, breaches } = watch.stop();

    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
    const truth = pipeline.simulator.truth().reports;
    expect(result.counts).toMatchObject({ ingested: truth.length, pages: 10, missedDays: 0 });
    const counters = pipeline.simulator.counters();
    expect({ rateLimited: counters.rateLimited, overTheLimit: counters.peakCallsPerSecond > 10 }).toEqual({
      rateLimited: 0,
      overTheLimit: false,
    });
    // Little's law: at 10 calls/s and 400 ms, one window and one batch at a time (2 in flight) could not keep up.
    expect(counters.peakConcurrency).toBeGreaterThan(3);
    expect(breaches).toEqual([]);
    const newest = storedTime(
      truth
        .map((r) => r.completedAtUtc)
        .sort()
        .at(-1)!,
    );
    expect(seen.at(-1)).toBe(newest);
    // Several watermarks on the way: the watermark moves while the run goes on, not only at its end.
    expect(seen.length).toBeGreaterThan(1);
  });

  test('a worker process killed with kill -9 while windows are read ahead: a second process finishes, the tables exact, the watermark never past a window not saved', async () => {
    const pipeline = await fixture.pipeline({ simulator: SLOW, env: ENV, inProcessWorker: false });
    const first = await pipeline.startWorkerProcess('worker-a');
    const watch = watchWatermark(pipeline);
    const handle = await pipeline.start(ingestionWorkflow);
    await until(
      async () => pipeline.simulator.counters(),
      (counters) => counters.byEndpoint.summary >= 2 && counters.inFlight.summary >= 2 && counters.inFlight.details > 0,
      'windows read ahead while a batch calls',
    );
    first.kill('SIGKILL');
    await pipeline.startWorkerProcess('worker-b');
    const result = (await handle.result()) as IngestionResult;
    const { breaches } = watch.stop();

    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
    const truth = pipeline.simulator.truth().reports;
    expect(result.counts.ingested).toBe(truth.length);
    expect(pipeline.count("ProcessedItems WHERE JobName = 'GoAuditsIngestion'")).toBe(truth.length);
    expect(breaches).toEqual([]);
    const watermark = pipeline.rows<{ at: string }>('SELECT WatermarkUtc AS at FROM JobWatermark WHERE JobName = ?', INGESTION_JOB)[0].at;
    expect(watermark).toBe(
      storedTime(
        truth
          .map((r) => r.completedAtUtc)
          .sort()
          .at(-1)!,
      ),
    );
    expect(pipeline.rows('SELECT JobName, Status FROM JobRunHistory ORDER BY JobName')).toEqual([
      { JobName: 'GoAuditsEnrichment', Status: 'Succeeded' },
      { JobName: 'GoAuditsIngestion', Status: 'Succeeded' },
    ]);
  });
});
