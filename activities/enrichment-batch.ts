import { setMaxListeners } from 'node:events';
import type { EnrichmentCounts } from '../shared/counts';
import type { ApiRetry } from '../shared/settings';
import { pacer } from '../shared/pace';
import type { CallLane } from './goaudits/call-lane';
import { AUTO_MOST_IN_FLIGHT, callsInFlightWanted, type CallLatency } from './goaudits/call-latency';
import type { GoAuditsClient } from './goaudits/client';
import { parseReportDetails } from './goaudits/details';
import { GoAuditsError } from './goaudits/errors';
import { retryDelayMs } from './goaudits/retry-delay';
import type { Store } from './store/store';
import { UnknownReportError } from './store/unknown-report-error';
import type { RunningActivity } from './heartbeating';
import type { PipelineMetrics } from './pipeline-metrics';
import { BatchReports, type BatchProgress } from './batch-progress';
import { inPool } from './calls-in-pool';
import { LaneWait } from './goaudits/lane-wait';
import type { LaneCaller, LaneWaitInfo } from '../shared/lane-caller';

export type { BatchProgress } from './batch-progress';

export interface EnrichBatchInput {
  /** The enrichment run's JobRunHistory RunId, written on the rows it stores. */
  runId: string;
  reportIds: string[];
  /** This batch's share of a run's own pace (`tune --rate`); unset: the call lane alone. */
  callsPerSecond?: number;
  /**
   * Most reports in flight at once: a ceiling under which the batch follows the latency
   * (`auto`: up to AUTO_MOST_IN_FLIGHT). Unset (runs started before it): one at a time.
   */
  mostInFlight?: number | 'auto';
  /** The run's priority, budget and budget key in the call lane; unset: a long run's priority, no budget. */
  caller?: LaneCaller;
}

/** A batch's counts; when the lane sent its run away (budget, quota), why and the reports it did not do, in order. */
export type EnrichBatchResult = EnrichmentCounts & { laneWait?: LaneWaitInfo; notDone?: string[] };

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
  /** This process's calls in flight and recent latency (every GoAudits call feeds it). */
  latency: Pick<CallLatency, 'snapshot'>;
  /** The calls per second the call lane sustains. */
  laneCallsPerSecond: number;
}

/**
 * One enrichment batch: it claims its reports first, so no other run enriches them meanwhile
 * (those another run holds, or has enriched, are counted and left alone); then each report
 * gets its details call (in its turn in the call lane) and its certificate, answers and ledger
 * row stored in one transaction, with as many reports in flight as the lane's rate times the
 * latency seen needs (callsInFlightWanted), under `mostInFlight`. A report that still
 * fails after its tries, whose details have no Detail rows, or whose rows give no usable
 * question key, is counted as failed and its failure recorded: a later sweep retries it, until
 * its failures reach the quarantine. A refused token stops the batch (`authFatal`). Store
 * failures, and a token that cannot be had, fail the activity (once the reports in flight have
 * ended), whose retry resumes with the reports not heartbeated as done.
 * When the call lane sends the run away (its budget for the day spent, a quota), the reports in
 * flight end, none starts, and the batch returns the others (`notDone`) with the reason: the run
 * queues them again after its wait, nothing lost and nothing counted as failed.
 */
export async function enrichBatch(
  { store, goaudits, lane, retry, quarantineAfter, metrics, latency, laneCallsPerSecond }: BatchDeps,
  { runId, reportIds, callsPerSecond, mostInFlight, caller }: EnrichBatchInput,
  activity: BatchActivity,
): Promise<EnrichBatchResult> {
  /**
   * The run's own pace, when an operator set one: this batch's share of it. Its first call waits
   * its spacing too: the batch before it in the run's slot may have called just now. Reports in
   * flight take their turns one after another.
   */
  const ownPace = pacer(() => callsPerSecond, activity.sleep, Date.now());
  let paced = Promise.resolve();
  const nextTurn = (): Promise<void> => (paced = paced.then(ownPace));

  const ceiling = mostInFlight === 'auto' ? AUTO_MOST_IN_FLIGHT : (mostInFlight ?? 1);
  // Every report in flight listens on the activity's signal (its HTTP call, its waits) until it ends: many at once, none left behind.
  setMaxListeners(Math.max(10, 4 * ceiling), activity.signal);
  const ratePerSecond = Math.min(laneCallsPerSecond, callsPerSecond ?? Infinity);
  let inFlight = 0;
  const wanted = () => callsInFlightWanted({ ratePerSecond, latency: latency.snapshot(), ceiling });

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
        const body = await lane.call((state) => goaudits.details(reportId, { signal: activity.signal, ...state }), activity.sleep, caller);
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

  const reports = new BatchReports(reportIds, activity.resumed);
  const heartbeat = () => {
    const { p50Ms, p95Ms } = latency.snapshot();
    activity.heartbeat({ ...reports.progress(), calls: { inFlight, wanted: wanted(), p50Ms, p95Ms } });
  };
  /** Set when the lane sent the run away: the reports in flight end, none starts, the rest go back to the run. */
  let laneWait: LaneWaitInfo | undefined;
  const untilUtc = new Date(Date.now() + CLAIM_MS).toISOString();
  const todo = reports.todo();
  const claimed = await store.claimReports({ reportIds: todo.map((at) => reports.idAt(at)), runId, untilUtc });
  try {
    const mine = todo.filter((at) => claimed.includes(reports.idAt(at)));
    for (const at of todo) if (!mine.includes(at)) reports.finish(at, { enrichedElsewhereCount: 1 });
    await inPool(
      mine,
      wanted,
      async (at) => {
        inFlight++;
        try {
          await nextTurn();
          const report = await enrichReport(reports.idAt(at));
          metrics.reportEnriched(report);
          reports.finish(at, report);
        } catch (error) {
          if (!(error instanceof LaneWait)) throw error;
          laneWait ??= error.info;
        } finally {
          inFlight--;
        }
        heartbeat();
      },
      () => reports.soFar.authFatal === true || laneWait !== undefined,
    );
  } finally {
    await store.releaseReports({ reportIds: claimed, runId });
  }
  if (!laneWait) return reports.soFar;
  return { ...reports.soFar, laneWait, notDone: reports.todo().map((at) => reports.idAt(at)) };
}
