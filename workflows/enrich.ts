import { setCurrentDetails, setHandler, setWorkflowOptions, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { FAILING_VISIBLY } from './failing-visibly';
import { noIngestion, type EnrichmentCounts } from './counts';
import { installControls } from './controls';
import { EnrichmentBatches, noEnrichmentYet } from './enrichment-batches';
import { enrichmentInputSchema, parseInput, type EnrichmentInput } from './inputs';
import { progressQuery } from './messages';
import { pipeline, goAudits } from './activities';
import { CallRate, callsMade, progressMarkdown, type Progress } from './progress';
import { RUN_KIND } from './search-attributes';
import { ENRICHMENT_JOB } from './jobs';

export interface EnrichmentResult {
  runId: string;
  counts: EnrichmentCounts;
}

/**
 * The enrichment sweep: the reports still pending (no answers or no certificate, not yet in the
 * ledger), or exactly the given ones, enriched in a sliding window of batches (see
 * enrichment-batches.ts). Batch size, concurrency, pace and pause can change while it runs.
 */
export async function enrichmentWorkflow(rawInput?: EnrichmentInput): Promise<EnrichmentResult> {
  const input = parseInput(enrichmentInputSchema, rawInput, 'enrichment');
  const handlers = installControls();
  const startedAtUtc = new Date().toISOString();
  const settings = await pipeline.pipelineSettings();
  const rate = new CallRate();
  const controls = handlers.steer(
    {
      paused: input.paused ?? false,
      batchSize: input.batchSize ?? settings.batchSize,
      concurrency: input.concurrency ?? settings.concurrency,
      rateLimitPerSecond: input.rateLimitPerSecond,
    },
    () => publish(),
  );
  const batches = new EnrichmentBatches(goAudits(settings), controls, noEnrichmentYet(), () => publish());

  function progress(): Progress {
    const { counts } = batches;
    const limitPerSecond = Math.min(settings.laneCallsPerSecond, controls.current.rateLimitPerSecond ?? Infinity);
    return {
      kind: 'enrichment',
      windowsDone: 0,
      windowsTotal: 0,
      ingestion: noIngestion(),
      enrichment: counts,
      queued: batches.cursor.queued.length,
      batchesRunning: batches.batchesRunning,
      controls: controls.current,
      startedAtUtc,
      callsPerSecond: rate.perSecond(Date.now()),
      limitPerSecond,
    };
  }
  function publish() {
    rate.record(Date.now(), callsMade(noIngestion(), batches.counts));
    setCurrentDetails(progressMarkdown(progress()));
  }
  setHandler(progressQuery, progress);
  if (!workflowInfo().parent) upsertSearchAttributes([{ key: RUN_KIND, value: 'enrichment' }]);

  const run = await batches.openRun();
  await pipeline.closeOrphanedRuns({ job: ENRICHMENT_JOB, by: run });
  await pipeline.retestRefusedToken();
  try {
    batches.add(input.reportIds ?? (await pipeline.pendingEnrichment(input.limit ?? settings.sweepLimit)));
    await batches.drain('all');
  } catch (error) {
    throw await batches.close(error);
  }
  await batches.close();
  return { runId: run.runId, counts: batches.counts };
}

setWorkflowOptions(FAILING_VISIBLY, enrichmentWorkflow);
