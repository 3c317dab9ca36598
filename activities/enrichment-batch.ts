import { addCounts, noEnrichment, type EnrichmentCounts } from '../workflows/counts';
import type { ApiRetry } from '../workflows/settings';
import type { CallLane } from './goaudits/call-lane';
import type { GoAuditsClient } from './goaudits/client';
import { parseReportDetails } from './goaudits/details';
import { GoAuditsError } from './goaudits/errors';
import { retryDelayMs } from './goaudits/retry-delay';
import type { Store } from './store/store';
import { UnknownReportError } from './store/unknown-report-error';
import type { RunningActivity } from './heartbeating';

/** Where a batch is: reports done, in order, and their counts. Heartbeated after each report. */
export interface BatchProgress {
  done: number;
  counts: EnrichmentCounts;
}

export interface EnrichBatchInput {
  /** The enrichment run's JobRunHistory RunId, written on the rows it stores. */
  runId: string;
  reportIds: string[];
  /** This batch's share of a run's own pace (`tune --rate`); unset: the call lane alone. */
  callsPerSecond?: number;
}

/** What the running activity lends the batch. */
export interface BatchActivity extends RunningActivity<BatchProgress> {
  warn(message: string, attributes: Record<string, unknown>): void;
}

export interface BatchDeps {
  store: Pick<Store, 'saveReportDetails'>;
  goaudits: Pick<GoAuditsClient, 'details'>;
  lane: CallLane;
  retry: ApiRetry;
}

/**
 * One enrichment batch: each report in turn gets its details call (in its turn in the call lane)
 * and its certificate, answers and ledger row stored in one transaction. A report that still
 * fails after its tries, or whose details have no Detail rows, is counted as failed and left for
 * a later sweep; a refused token stops the batch (`authFatal`). Store failures fail the activity,
 * whose retry resumes after the last report heartbeated.
 */
export async function enrichBatch(
  { store, goaudits, lane, retry }: BatchDeps,
  { runId, reportIds, callsPerSecond }: EnrichBatchInput,
  activity: BatchActivity,
): Promise<EnrichmentCounts> {
  let lastStart = Number.NEGATIVE_INFINITY;
  /** The run's own pace, when an operator set one: this batch's share of it. */
  async function ownPace(): Promise<void> {
    if (callsPerSecond === undefined) return;
    const wait = lastStart + 1000 / callsPerSecond - Date.now();
    if (wait > 0) await activity.sleep(wait);
    lastStart = Date.now();
  }

  async function enrichReport(reportId: string): Promise<Partial<EnrichmentCounts>> {
    for (let attempt = 1; ; attempt++) {
      try {
        const body = await lane.call(() => goaudits.details(reportId, { signal: activity.signal }), activity.sleep);
        const { hasDetailRows, ...details } = parseReportDetails(reportId, body);
        if (!hasDetailRows) {
          activity.warn('GoAudits has no Detail rows for this report; counted as failed', { reportId });
          return { failedCount: 1 };
        }
        const saved = await store.saveReportDetails({ runId, details });
        return {
          processed: 1,
          certUpdatedCount: Number(saved.certUpdated),
          answersInsertedCount: saved.answersInserted,
          markedProcessedCount: Number(saved.markedProcessed),
          certMissingCount: Number(saved.certMissing),
        };
      } catch (error) {
        activity.signal.throwIfAborted();
        if (error instanceof UnknownReportError) {
          activity.warn('report is not stored; counted as failed', { reportId });
          return { failedCount: 1 };
        }
        if (!(error instanceof GoAuditsError)) throw error;
        if (error.kind === 'auth') return { authFatal: true };
        if (attempt >= retry.maximumAttempts) {
          activity.warn('report not enriched; a later sweep retries it', { reportId, error: error.message });
          return { failedCount: 1 };
        }
        await activity.sleep(retryDelayMs(retry, attempt, error.retryAfterMs));
      }
    }
  }

  let { done, counts } = activity.resumed ?? { done: 0, counts: noEnrichment() };
  while (done < reportIds.length && !counts.authFatal) {
    await ownPace();
    counts = addCounts(counts, await enrichReport(reportIds[done]));
    done++;
    activity.heartbeat({ done, counts });
  }
  return counts;
}
