/**
 * Measures the first ingestion over the simulator's default data set on the default settings:
 * wall time, rows against the simulator's truth, history events per enriched report, and the
 * peak calls per second GoAudits saw against the limit.   Run: npx tsx bench/first-run.ts
 */
import { TestServer } from '../test/harness';
import { simulatorOptionsFromEnvironment } from '../simulator/server';
import type { IngestionResult } from '../workflows/ingest';

async function historyLength(server: TestServer, workflowId: string): Promise<number> {
  const history = await server.env.client.workflow.getHandle(workflowId).fetchHistory();
  return history.events?.length ?? 0;
}

async function main() {
  const limit = process.env.GOAUDITS_RATE_LIMIT_PER_SECOND ?? '10';
  const simulator = simulatorOptionsFromEnvironment({});
  const server = await TestServer.start();
  const pipeline = await server.pipeline({
    simulator,
    env: {
      GOAUDITS_START_DATE: simulator.dataset.from,
      GOAUDITS_END_DATE: simulator.dataset.to,
      GOAUDITS_RATE_LIMIT_PER_SECOND: limit,
      GOAUDITS_RETRY_INITIAL_MS: '1000',
      GOAUDITS_RETRY_MAX_MS: '8000',
      GOAUDITS_RETRY_ATTEMPTS: '5',
    },
  });
  try {
    const workflowId = 'bench-first-run';
    const started = performance.now();
    const result = await pipeline.execute<IngestionResult>('ingestionWorkflow', {}, workflowId);
    const wallSeconds = (performance.now() - started) / 1000;

    const truth = pipeline.simulator.truth().reports;
    const enrichable = truth.filter((report) => report.hasDetails);
    const batches = Math.ceil(result.counts.ingested / pipeline.env.GOAUDITS_ENRICH_BATCH_SIZE);
    const enrichmentIds = [`${workflowId}-enrichment-1`, ...Array.from({ length: batches }, (_, i) => `${workflowId}-enrichment-1-batch-${i + 1}`)];
    const enrichmentEvents = (await Promise.all(enrichmentIds.map((id) => historyLength(server, id)))).reduce((a, b) => a + b, 0);
    const counters = pipeline.simulator.counters();

    console.log(
      JSON.stringify(
        {
          dataSet: simulator.dataset,
          settings: { rateLimitPerSecond: Number(limit), batchSize: pipeline.env.GOAUDITS_ENRICH_BATCH_SIZE, concurrency: pipeline.env.GOAUDITS_ENRICH_CONCURRENCY },
          wallSeconds: Number(wallSeconds.toFixed(1)),
          rows: {
            reports: { stored: pipeline.count('GoAuditsReports'), truth: truth.length },
            answers: { stored: pipeline.count('GoAuditsReportAnswers'), truth: enrichable.reduce((n, r) => n + r.answers.length, 0) },
            certificates: {
              stored: pipeline.count("GoAuditsReports WHERE CertificationNumber IS NOT NULL AND CertificationNumber <> ''"),
              truth: enrichable.filter((r) => r.certificateNumber !== null).length,
            },
          },
          counts: { ingestion: result.counts, enrichment: result.enrichment },
          history: {
            ingestionEvents: await historyLength(server, workflowId),
            enrichmentEvents,
            eventsPerEnrichedReport: Number((enrichmentEvents / result.counts.ingested).toFixed(2)),
          },
          goaudits: {
            calls: counters.requests,
            peakCallsPerSecond: counters.peakCallsPerSecond,
            limit: Number(limit),
            rateLimited: counters.rateLimited,
            peakConcurrency: counters.peakConcurrency,
          },
          peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
        },
        null,
        2,
      ),
    );
  } finally {
    await pipeline.stop();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
