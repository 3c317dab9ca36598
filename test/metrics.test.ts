import { WorkflowFailedError } from '@temporalio/client';
import { usePipelines, type Pipeline } from './harness';
import { until } from './until';
import { freePort } from './free-port';
import { parseScrape, total, type Sample } from './prometheus-text';
import { COUNTERS, GAUGES, HISTOGRAMS } from '../activities/pipeline-metrics';
import { fromSqliteUtc } from '../activities/store/sqlite-time';
import { INGESTION_JOB } from '../activities/store/store';
import { utcDate } from '../shared/plan';
import type { IngestionResult } from '../workflows/ingest';
import { ingestionWorkflow } from '../workflows';

jest.setTimeout(240_000);

const fixture = usePipelines();

/** The day `n` days before today (UTC). */
const daysAgo = (n: number) => utcDate(Date.now() - n * 86_400_000);

/** The worker's metrics, as Prometheus scrapes them. */
async function scrape(port: number): Promise<{ text: string; samples: Sample[] }> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!response.ok) throw new Error(`metrics answered ${response.status}`);
  const text = await response.text();
  return { text, samples: parseScrape(text) };
}

/**
 * The metrics once the run's calls are all in: the exporter reads the SDK runtime on each scrape,
 * and what the worker recorded last may take a moment to show.
 */
function metricsOfRun(pipeline: Pipeline, port: number, done: (samples: Sample[]) => boolean = () => true) {
  return until(
    () => scrape(port),
    ({ samples }) => total(samples, COUNTERS.apiCalls) === pipeline.simulator.counters().requests && done(samples),
    "the run's calls in the worker's metrics",
  );
}

/** A pipeline whose one worker is a process of its own serving its metrics (the jest process's SDK runtime has none). */
async function pipelineWithMetrics(options: Parameters<typeof fixture.pipeline>[0]) {
  const port = await freePort();
  const pipeline = await fixture.pipeline({ ...options, inProcessWorker: false });
  await pipeline.startWorkerProcess('worker-with-metrics', { METRICS_PORT: String(port) });
  return { pipeline, port };
}

describe("the worker's Prometheus metrics", () => {
  test('count every GoAudits call once, by endpoint and outcome, 429s and faults included, and the reports the store confirmed', async () => {
    const { pipeline, port } = await pipelineWithMetrics({
      // GoAudits allows fewer calls than the pipeline's limit (429s), and some answers are cut off.
      simulator: { dataset: { reports: 60, from: daysAgo(3), to: daysAgo(1), seed: 31 }, rateLimitPerSecond: 6, malformedRate: 0.03 },
      env: {
        GOAUDITS_START_DATE: daysAgo(3),
        GOAUDITS_RATE_LIMIT_PER_SECOND: '15',
        GOAUDITS_ENRICH_CONCURRENCY: '2',
        GOAUDITS_ENRICH_BATCH_SIZE: '10',
      },
    });
    // And the details of two reports always fail (500), each after its 3 tries.
    const failing = pipeline.simulator
      .truth()
      .reports.filter((r) => r.hasDetails)
      .slice(0, 2)
      .map((r) => r.id);
    pipeline.simulator.setFaults({ failingDetails: failing });
    const startedAtMs = Date.now();
    const result = await pipeline.execute<IngestionResult>(ingestionWorkflow);
    const { text, samples } = await metricsOfRun(
      pipeline,
      port,
      (s) => total(s, 'temporal_workflow_completed', { workflow_type: 'ingestionWorkflow' }) === 1,
    );
    const scrapedAtMs = Date.now();
    const sim = pipeline.simulator.counters();
    const calls = (labels: Record<string, string>) => total(samples, COUNTERS.apiCalls, labels);

    // Every request GoAudits received is counted once, as GoAudits answered it.
    expect(sim.rateLimited).toBeGreaterThan(0);
    expect(sim.faults).toBeGreaterThanOrEqual(6);
    expect(calls({})).toBe(sim.requests);
    expect(calls({ endpoint: 'summary', outcome: 'ok' })).toBe(sim.byEndpoint.summary);
    expect(calls({ endpoint: 'details', outcome: 'ok' })).toBe(sim.byEndpoint.details);
    expect(calls({ outcome: 'rate_limited' })).toBe(sim.rateLimited);
    expect(calls({ outcome: 'transient' }) + calls({ outcome: 'bad_response' }) + calls({ outcome: 'timeout' })).toBe(sim.faults);
    expect(calls({ outcome: 'auth' })).toBe(0);
    expect(total(samples, COUNTERS.rateLimitWaits)).toBe(sim.rateLimited);
    expect(total(samples, `${HISTOGRAMS.apiCallSeconds}_count`)).toBe(sim.requests);
    expect(total(samples, `${HISTOGRAMS.laneWaitSeconds}_count`)).toBe(sim.requests);
    expect(total(samples, GAUGES.rateLimit)).toBe(15);
    expect(total(samples, GAUGES.authHalted)).toBe(0);

    // Reports, as the run counted them.
    expect(result.counts.ingested).toBe(pipeline.simulator.truth().reports.length);
    expect(total(samples, COUNTERS.windows)).toBe(result.counts.pages);
    expect(total(samples, COUNTERS.ingested)).toBe(result.counts.ingested);
    expect(total(samples, COUNTERS.enriched)).toBe(result.enrichment.processed);
    expect(total(samples, COUNTERS.failed)).toBe(result.enrichment.failedCount);
    expect(total(samples, COUNTERS.refreshed)).toBe(result.enrichment.refreshedCount);
    expect(total(samples, COUNTERS.quarantined)).toBe(result.enrichment.quarantinedCount);

    // The lag was measured against the watermark the run left, while it ran.
    const [{ WatermarkUtc }] = pipeline.rows<{ WatermarkUtc: string }>(
      'SELECT WatermarkUtc FROM JobWatermark WHERE JobName = ?',
      INGESTION_JOB,
    );
    const watermarkMs = Date.parse(fromSqliteUtc(WatermarkUtc));
    const lagMs = total(samples, GAUGES.watermarkLag) * 1000;
    expect(lagMs).toBeGreaterThanOrEqual(startedAtMs - watermarkMs - 1000);
    expect(lagMs).toBeLessThanOrEqual(scrapedAtMs - watermarkMs);

    // The SDK's own metrics are served beside them; the token is nowhere.
    expect(samples.some(({ name }) => name.startsWith('temporal_'))).toBe(true);
    expect(text).not.toContain(pipeline.tokenEnv.GOAUDITS_BEARER_TOKEN);

    // A second worker on the same port stops at start, naming the variable.
    await expect(pipeline.startWorkerProcess('worker-on-a-taken-port', { METRICS_PORT: String(port) })).rejects.toThrow(
      new RegExp(`METRICS_PORT ${port}: .*in use`),
    );
  });

  test('the auth gauge is 1 while GoAudits refuses the token, and 0 once a call goes through again', async () => {
    const { pipeline, port } = await pipelineWithMetrics({
      simulator: { dataset: { reports: 40, from: daysAgo(2), to: daysAgo(1), seed: 32 }, revokeTokenAfterCalls: 12 },
      env: { GOAUDITS_START_DATE: daysAgo(2), GOAUDITS_ENRICH_BATCH_SIZE: '5' },
    });
    await expect(pipeline.execute(ingestionWorkflow)).rejects.toBeInstanceOf(WorkflowFailedError);
    const halted = (await metricsOfRun(pipeline, port)).samples;
    expect(total(halted, GAUGES.authHalted)).toBe(1);
    expect(total(halted, COUNTERS.apiCalls, { outcome: 'auth' })).toBe(pipeline.simulator.counters().authFailures);

    // GoAudits takes the same token again: the next run tests it, and its calls go through.
    pipeline.simulator.setToken(pipeline.tokenEnv.GOAUDITS_BEARER_TOKEN);
    await pipeline.execute<IngestionResult>(ingestionWorkflow);
    const resumed = (await metricsOfRun(pipeline, port, (s) => total(s, GAUGES.authHalted) === 0)).samples;
    expect(total(resumed, COUNTERS.apiCalls, { outcome: 'auth' })).toBe(pipeline.simulator.counters().authFailures);
  });
});
