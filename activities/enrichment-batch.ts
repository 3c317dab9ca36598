import { addCounts, noEnrichment, type EnrichmentCounts } from '../shared/counts';
import type { ApiRetry } from '../shared/settings';
import { pacer } from '../shared/pace';
import type { CallLane } from './goaudits/call-lane';
import type { GoAuditsClient } from './goaudits/client';
import { parseReportDetails } from './goaudits/details';
import { GoAuditsError } from './goaudits/errors';
import { retryDelayMs } from './goaudits/retry-delay';
import type { Store } from './store/store';
import { UnknownReportError } from './store/unknown-report-error';
import type { RunningActivity } from './heartbeating';
import type { PipelineMetrics } from './pipeline-metrics';

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

/** How long a batch's claim on its reports lasts, should the batch die without releasing it. */
const CLAIM_MS = 60 * 60_000;

export interface BatchDeps {
  store: Pick<Store, 'saveReportDetails' | 'recordEnrichmentFailure' | 'claimReports' | 'releaseReports'>;
  goaudits: Pick<GoAuditsClient, 'details'>;
  lane: CallLane;
  retry: ApiRetry;
  /** Failures, across runs, after which a report is quarantined. */
  quarantineAfter: number;
  /** Told how each report's enrichment ended, as soon as the store confirmed it. */
  metrics: Pick<PipelineMetrics, 'reportEnriched'>;
}

/**
 * One enrichment batch: it claims its reports first, so no other run enriches them meanwhile
 * (those another run holds, or has enriched, are counted and left alone); then each report in
 * turn gets its details call (in its turn in the call lane) and its certificate, answers and
 * ledger row stored in one transaction. A report that still
 * fails after its tries, whose details have no Detail rows, or whose rows give no usable
 * question key, is counted as failed and its failure recorded: a later sweep retries it, until
 * its failures reach the quarantine. A refused token stops the batch (`authFatal`). Store
 * failures, and a token that cannot be had, fail the activity, whose retry resumes after the
 * last report heartbeated.
 */
export async function enrichBatch(
  { store, goaudits, lane, retry, quarantineAfter, metrics }: BatchDeps,
  { runId, reportIds, callsPerSecond }: EnrichBatchInput,
  activity: BatchActivity,
): Promise<EnrichmentCounts> {
  /**
   * The run's own pace, when an operator set one: this batch's share of it. Its first call waits
   * its spacing too: the batch before it in the run's slot may have called just now.
   */
  const ownPace = pacer(() => callsPerSecond, activity.sleep, Date.now());

  /** Counts the report as failed, records why, logs it with its error's type (and the call's endpoint and status), and says whether that quarantined it. */
  async function failed(reportId: string, error: string, errorType: string, call?: GoAuditsError): Promise<Partial<EnrichmentCounts>> {
    const { failures, quarantined } = await store.recordEnrichmentFailure({ reportId, error, quarantineAfter });
    activity.warn(
      quarantined ? 'report quarantined: sweeps skip it until it is requeued' : 'report not enriched; a later sweep retries it',
      {
        reportId,
        error,
        errorType,
        ...(call && { endpoint: call.endpoint, statusCode: call.status }),
        failures,
      },
    );
    return { failedCount: 1, quarantinedCount: Number(quarantined && failures === quarantineAfter) };
  }

  async function enrichReport(reportId: string): Promise<Partial<EnrichmentCounts>> {
    for (let attempt = 1; ; attempt++) {
      try {
        const body = await lane.call((state) => goaudits.details(reportId, { signal: activity.signal, ...state }), activity.sleep);
        const { hasDetailRows, ...details } = parseReportDetails(reportId, body);
        if (!hasDetailRows) return failed(reportId, 'GoAudits has no Detail rows for this report', 'NoDetailRows');
        if (details.answers.length === 0) return failed(reportId, 'no Detail row has a usable question key', 'NoQuestionKey');
        const saved = await store.saveReportDetails({ runId, details });
        return {
          processed: 1,
          certUpdatedCount: Number(saved.certUpdated),
          answersInsertedCount: saved.answersInserted,
          markedProcessedCount: Number(saved.markedProcessed),
          certMissingCount: Number(saved.certMissing),
          refreshedCount: Number(saved.refreshed),
        };
      } catch (error) {
        activity.signal.throwIfAborted();
        if (error instanceof UnknownReportError) {
          activity.warn('report is not stored; counted as failed', { reportId, errorType: error.name });
          return { failedCount: 1 };
        }
        // Store trouble, or no token to be had: the activity fails and its retry resumes here.
        if (!(error instanceof GoAuditsError) || error.kind === 'token-unavailable') throw error;
        if (error.kind === 'auth') return { authFatal: true };
        if (attempt >= retry.maximumAttempts) return failed(reportId, error.message, `GoAudits-${error.kind}`, error);
        await activity.sleep(retryDelayMs(retry, attempt, error.retryAfterMs));
      }
    }
  }

  let { done, counts } = activity.resumed ?? { done: 0, counts: noEnrichment() };
  const untilUtc = new Date(Date.now() + CLAIM_MS).toISOString();
  const claimed = await store.claimReports({ reportIds: reportIds.slice(done), runId, untilUtc });
  try {
    while (done < reportIds.length && !counts.authFatal) {
      const reportId = reportIds[done];
      if (claimed.includes(reportId)) {
        await ownPace();
        const report = await enrichReport(reportId);
        metrics.reportEnriched(report);
        counts = addCounts(counts, report);
      } else {
        counts = addCounts(counts, { enrichedElsewhereCount: 1 });
      }
      done++;
      activity.heartbeat({ done, counts });
    }
  } finally {
    await store.releaseReports({ reportIds: claimed, runId });
  }
  return counts;
}
