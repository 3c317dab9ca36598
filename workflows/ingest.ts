import { executeChild, setHandler, workflowInfo } from '@temporalio/workflow';
import { INGESTION_JOB } from '../activities/store/store';
import { addCounts, noIngestion, type EnrichmentCounts, type IngestionCounts } from './counts';
import { ingestionInputSchema, parseInput, type IngestionInput } from './inputs';
import { progressQuery } from './messages';
import { ingestionStart, planWindows, utcDate } from './plan';
import { pipeline, goAudits } from './activities';
import { recordedRun } from './run-history';
import { enrichmentWorkflow } from './enrich';

export interface IngestionResult {
  runId: string;
  counts: IngestionCounts;
  /** The enrichment of the reports this run ingested, when there were any. */
  enrichment?: { runId: string; counts: EnrichmentCounts };
}

/**
 * Hourly ingestion (and, with `from`/`to`, a backfill): read the watermark, plan summary
 * windows up to today, store each window's new reports in one transaction, then enrich them.
 */
export async function ingestionWorkflow(rawInput?: IngestionInput): Promise<IngestionResult> {
  const input = parseInput(ingestionInputSchema, rawInput, 'ingestion');
  const settings = await pipeline.pipelineSettings();
  const api = goAudits(settings);
  const tally = { counts: noIngestion() };
  const newReportIds: string[] = [];
  let windows = 0;
  setHandler(progressQuery, () => ({ done: tally.counts.pages, total: windows, counts: tally.counts }));

  const run = await recordedRun(INGESTION_JOB, tally, async (runId) => {
    const watermarkUtc = await pipeline.readWatermark(INGESTION_JOB);
    const today = utcDate(Date.now());
    const plan = planWindows({
      from: ingestionStart({ from: input.from, watermarkUtc, startDate: settings.startDate, today }),
      to: input.to ?? settings.endDate ?? today,
      windowDays: input.windowDays ?? settings.windowDays,
    });
    windows = plan.length;
    for (const window of plan) {
      const saved = await api.ingestWindow({ runId, window, advanceWatermark: true });
      newReportIds.push(...saved.ingestedIds);
      tally.counts = addCounts(tally.counts, {
        fetched: saved.fetched,
        eligible: saved.eligible,
        ingested: saved.ingestedIds.length,
        skipped: saved.skipped,
        alreadyProcessed: saved.alreadyProcessed,
        pages: 1,
      });
    }
  });

  if (newReportIds.length === 0) return run;
  const enrichment = await executeChild(enrichmentWorkflow, {
    workflowId: `${workflowInfo().workflowId}-enrichment`,
    args: [{ reportIds: newReportIds, batchSize: input.batchSize, concurrency: input.concurrency }],
  });
  return { ...run, enrichment };
}
