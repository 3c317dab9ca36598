import { executeChild, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { ENRICHMENT_JOB } from '../activities/store/store';
import { addCounts, noEnrichment, type EnrichmentCounts } from './counts';
import { enrichmentInputSchema, parseInput, type EnrichmentInput } from './inputs';
import { progressQuery } from './messages';
import { cutBatches } from './plan';
import { pipeline, goAudits } from './activities';
import { authHalt, isAuthFailure } from './failures';
import { recordedRun, type RecordedRun } from './run-history';
import type { PipelineSettings } from './settings';

/**
 * Enrichment: the given reports, or a sweep of the pending ones (no answers or no
 * certificate, not yet in the ledger). Reports are cut into batches; each batch is a child
 * workflow enriching its reports one at a time, and at most `concurrency` batches run at
 * once, so at most `concurrency` details calls are in flight.
 */
export async function enrichmentWorkflow(rawInput?: EnrichmentInput): Promise<RecordedRun<EnrichmentCounts>> {
  const input = parseInput(enrichmentInputSchema, rawInput, 'enrichment');
  const settings = await pipeline.pipelineSettings();
  const tally = { counts: noEnrichment() };
  let batchesDone = 0;
  let batchesTotal = 0;
  setHandler(progressQuery, () => ({ done: batchesDone, total: batchesTotal, counts: tally.counts }));

  return recordedRun(ENRICHMENT_JOB, tally, async (runId) => {
    const reportIds = input.reportIds ?? (await pipeline.pendingEnrichment(input.limit ?? settings.sweepLimit));
    const batches = cutBatches(reportIds, input.batchSize ?? settings.batchSize);
    tally.counts = { ...tally.counts, selected: reportIds.length };
    batchesTotal = batches.length;

    let next = 0;
    const lane = async () => {
      while (next < batches.length && !tally.counts.authFatal) {
        const index = next++;
        const counts = await executeChild(enrichBatchWorkflow, {
          workflowId: `${workflowInfo().workflowId}-batch-${index + 1}`,
          args: [{ runId, reportIds: batches[index], settings }],
        });
        tally.counts = addCounts(tally.counts, counts);
        batchesDone++;
      }
    };
    const lanes = Math.min(input.concurrency ?? settings.concurrency, batches.length);
    await Promise.all(Array.from({ length: lanes }, lane));
    if (tally.counts.authFatal) throw authHalt('enrichment');
  });
}

/**
 * One batch: each report's details fetched and stored in one activity. A report that still
 * fails after its retries, or whose details have no Detail rows, is counted as failed and left
 * for a later sweep; an auth failure stops the batch at once.
 */
export async function enrichBatchWorkflow(input: {
  runId: string;
  reportIds: string[];
  settings: PipelineSettings;
}): Promise<EnrichmentCounts> {
  const api = goAudits(input.settings);
  let counts = noEnrichment();
  for (const reportId of input.reportIds) {
    try {
      const saved = await api.enrichReport({ runId: input.runId, reportId });
      if (!saved.hasDetailRows) {
        log.warn('GoAudits has no Detail rows for this report; counted as failed, as today', { reportId });
        counts = addCounts(counts, { failedCount: 1 });
        continue;
      }
      counts = addCounts(counts, {
        processed: 1,
        certUpdatedCount: Number(saved.certUpdated),
        answersInsertedCount: saved.answersInserted,
        markedProcessedCount: Number(saved.markedProcessed),
        certMissingCount: Number(saved.certMissing),
      });
    } catch (error) {
      if (isAuthFailure(error)) return addCounts(counts, { authFatal: true });
      log.warn('report not enriched; a later sweep retries it', { reportId, error: String(error) });
      counts = addCounts(counts, { failedCount: 1 });
    }
  }
  return counts;
}
