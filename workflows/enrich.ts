import { condition, executeChild, log, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { ENRICHMENT_JOB } from '../activities/store/store';
import { addCounts, noEnrichment, type EnrichmentCounts } from './counts';
import { installControls } from './controls';
import { enrichmentInputSchema, parseInput, type EnrichmentInput } from './inputs';
import { progressQuery } from './messages';
import { pacer } from './pace';
import { pipeline, goAudits } from './activities';
import { authHalt, isAuthFailure } from './failures';
import { failingRun, finishRun, startRun } from './run-history';
import { RUN_KIND } from './search-attributes';
import type { PipelineSettings } from './settings';

export interface EnrichmentResult {
  runId: string;
  counts: EnrichmentCounts;
}

/**
 * Enrichment: the given reports, or a sweep of the pending ones (no answers or no
 * certificate, not yet in the ledger). Reports go out in batches; each batch is a child
 * workflow enriching its reports one at a time, and at most `concurrency` batches run at once,
 * so at most `concurrency` details calls are in flight. Batch size, concurrency, pace and
 * pause can change while it runs; they apply to the batches not started yet.
 */
export async function enrichmentWorkflow(rawInput?: EnrichmentInput): Promise<EnrichmentResult> {
  const input = parseInput(enrichmentInputSchema, rawInput, 'enrichment');
  const settings = await pipeline.pipelineSettings();
  const controls = installControls({
    paused: input.paused ?? false,
    batchSize: input.batchSize ?? settings.batchSize,
    concurrency: input.concurrency ?? settings.concurrency,
    rateLimitPerSecond: input.rateLimitPerSecond,
  });
  const tally = { counts: noEnrichment() };
  let batchesDone = 0;
  setHandler(progressQuery, () => ({ kind: 'enrichment', batchesDone, counts: tally.counts, controls: controls.current }));
  if (!workflowInfo().parent) upsertSearchAttributes([{ key: RUN_KIND, value: 'enrichment' }]);

  const run = await startRun(ENRICHMENT_JOB);
  await failingRun(run, () => tally.counts, async () => {
    const reportIds = input.reportIds ?? (await pipeline.pendingEnrichment(input.limit ?? settings.sweepLimit));
    tally.counts = { ...tally.counts, selected: reportIds.length };
    let next = 0;
    let running = 0;
    let failure: unknown;
    const batches: Promise<void>[] = [];
    const stopped = () => tally.counts.authFatal || failure !== undefined;
    while (next < reportIds.length && !stopped()) {
      await condition(() => stopped() || (!controls.current.paused && running < controls.current.concurrency));
      if (stopped()) break;
      const { batchSize, concurrency, rateLimitPerSecond } = controls.current;
      const reportIdsOfBatch = reportIds.slice(next, (next += batchSize));
      running++;
      const batch = executeChild(enrichBatchWorkflow, {
        workflowId: `${workflowInfo().workflowId}-batch-${batches.length + 1}`,
        args: [{ runId: run.runId, reportIds: reportIdsOfBatch, settings, rateLimitPerSecond: rateLimitPerSecond && rateLimitPerSecond / concurrency }],
      }).then(
        (counts) => {
          tally.counts = addCounts(tally.counts, counts);
          batchesDone++;
        },
        (error: unknown) => void (failure ??= error),
      );
      batches.push(batch.finally(() => running--));
    }
    await Promise.all(batches);
    if (failure !== undefined) throw failure;
    if (tally.counts.authFatal) throw authHalt('enrichment');
  });
  await finishRun(run, 'Succeeded', tally.counts);
  return { runId: run.runId, counts: tally.counts };
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
  rateLimitPerSecond?: number;
}): Promise<EnrichmentCounts> {
  const api = goAudits(input.settings);
  const pace = pacer(() => input.rateLimitPerSecond);
  let counts = noEnrichment();
  for (const reportId of input.reportIds) {
    await pace();
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
