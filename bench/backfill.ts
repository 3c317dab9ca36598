/**
 * Measures a two-year backfill over the simulator: wall time, history size (events per run,
 * largest run, total) and peak memory of the worker process (which here also hosts the
 * simulator). Run: npx tsx bench/backfill.ts   (BENCH_REPORTS, BENCH_RATE, BENCH_CONCURRENCY)
 */
import { TestServer } from '../test/harness';
import type { IngestionResult } from '../workflows/ingest';

const reports = Number(process.env.BENCH_REPORTS ?? 20_000);
const rate = process.env.BENCH_RATE ?? '200';
const concurrency = process.env.BENCH_CONCURRENCY ?? '8';

async function main() {
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  const server = await TestServer.start();
  const pipeline = await server.pipeline({
    simulator: { dataset: { reports, from: '2024-01-01', to: '2025-12-31', seed: 42 }, latencyMs: 5 },
    env: { GOAUDITS_RATE_LIMIT_PER_SECOND: rate, GOAUDITS_ENRICH_CONCURRENCY: concurrency, GOAUDITS_RETRY_ATTEMPTS: '5' },
  });
  try {
    const workflowId = 'bench-backfill-2024-01-01-2025-12-31';
    const started = performance.now();
    const result = await pipeline.execute<IngestionResult>('ingestionWorkflow', { from: '2024-01-01', to: '2025-12-31' }, workflowId);
    const wallSeconds = (performance.now() - started) / 1000;

    const runs: { workflowId: string; runId: string }[] = [];
    for await (const run of pipeline.client.workflow.list({ query: `WorkflowId STARTS_WITH '${workflowId}'` })) {
      runs.push({ workflowId: run.workflowId, runId: run.runId });
    }
    const sizes = await Promise.all(
      runs.map(async ({ workflowId: id, runId }) => {
        const history = await pipeline.client.workflow.getHandle(id, runId).fetchHistory();
        return { id, events: history.events?.length ?? 0, bytes: Buffer.byteLength(JSON.stringify(history)) };
      }),
    );
    const ingestionRuns = sizes.filter((s) => s.id === workflowId);
    const largest = sizes.reduce((a, b) => (b.events > a.events ? b : a));
    const truth = pipeline.simulator.truth().reports;
    console.log(
      JSON.stringify(
        {
          dataSet: { reports, completed: truth.length, from: '2024-01-01', to: '2025-12-31' },
          settings: { rateLimitPerSecond: Number(rate), concurrency: Number(concurrency), batchSize: pipeline.env.GOAUDITS_ENRICH_BATCH_SIZE },
          wallSeconds: Number(wallSeconds.toFixed(1)),
          counts: { ingestion: result.counts, enrichment: result.enrichment, windows: result.windows },
          rows: { reports: pipeline.count('GoAuditsReports'), answers: pipeline.count('GoAuditsReportAnswers'), truthReports: truth.length },
          history: {
            workflowRuns: sizes.length,
            ingestionRuns: ingestionRuns.length,
            largestRun: largest,
            ingestionEventsPerRun: ingestionRuns.map((s) => s.events),
            totalEvents: sizes.reduce((n, s) => n + s.events, 0),
            totalMiB: Number((sizes.reduce((n, s) => n + s.bytes, 0) / 2 ** 20).toFixed(1)),
          },
          goaudits: { calls: pipeline.simulator.counters().requests, peakCallsPerSecond: pipeline.simulator.counters().peakCallsPerSecond },
          peakRssMiB: Math.round(peakRss / 2 ** 20),
        },
        null,
        2,
      ),
    );
  } finally {
    clearInterval(sampler);
    await pipeline.stop();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
