import { log } from '@temporalio/activity';
import { heartbeating } from './heartbeating';
import { signalOwnRun, throttledBatchProgress } from './batch-progress-signal';
import type { WorkflowRuns } from './workflow-runs';
import type { Window } from '../shared/plan';
import type { PipelineSettings } from '../shared/settings';
import { countsMessage, type RunCounts } from '../shared/counts';
import { normaliseSummary } from './goaudits/summary';
import type { JobName, Store } from './store/store';
import type { FinishedStatus, IngestedWindow, MissedDay, QuarantinedReport, RunRef } from '../shared/records';
import { callingGoAudits } from './failures';
import type { GoAuditsClient } from './goaudits/client';
import type { CallLane } from './goaudits/call-lane';
import { callsInFlightWanted, type CallLatency } from './goaudits/call-latency';
import { INGESTION_JOB } from '../shared/jobs';
import { MOST_WINDOWS_AHEAD } from '../shared/concurrency';
import { enrichBatch, type BatchProgress, type EnrichBatchInput, type EnrichBatchResult } from './enrichment-batch';
import type { LaneCaller } from '../shared/lane-caller';
import type { PipelineMetrics } from './pipeline-metrics';
import { reconcileActivities } from './reconcile';

/** The two GoAudits calls, as the activities need them. */
export type GoAuditsApi = Pick<GoAuditsClient, 'summary' | 'details'>;

export interface ActivityDeps {
  store: Store;
  goaudits: GoAuditsApi;
  /** The shared call lane every GoAudits call waits its turn in. */
  lane: CallLane;
  /** This process's GoAudits calls in flight and recent latency, which the batches' concurrency follows. */
  latency: CallLatency;
  /** How the workflows behind JobRunHistory rows stand, to close rows a terminated run left open. */
  workflowRuns: WorkflowRuns;
  settings: PipelineSettings;
  /** The pipeline's metrics: reports as the store confirmed them, the watermark's lag. */
  metrics: Pick<PipelineMetrics, 'summaryWindowSaved' | 'watermarkMoved' | 'reportEnriched' | 'reconciled'>;
  /** Where the one-line JSON run summary goes (stdout by default). */
  writeLine?: (line: string) => void;
}

/** Every side effect of the pipeline, as thin functions over the injected adapters. */
export function createActivities({
  store,
  goaudits,
  lane,
  latency,
  workflowRuns,
  settings,
  metrics,
  writeLine = (line) => console.log(line),
}: ActivityDeps) {
  return {
    ...reconcileActivities({ store, goaudits, lane, metrics }),

    async pipelineSettings(): Promise<PipelineSettings> {
      return settings;
    },

    async readWatermark(job: JobName): Promise<string | null> {
      return store.watermark(job);
    },

    /** Moves the ingestion watermark forward (never back) over summary windows read ahead, all of them saved. */
    async advanceWatermark(watermarkUtc: string): Promise<void> {
      await store.advanceWatermark(INGESTION_JOB, watermarkUtc);
      metrics.watermarkMoved(await store.watermark(INGESTION_JOB));
    },

    /** The operator's rewind (runbook step 1), done by the worker so no one needs SQL rights. */
    async setWatermark(args: { job: JobName; watermarkUtc: string | null }): Promise<{ before: string | null; after: string | null }> {
      const before = await store.watermark(args.job);
      await store.setWatermark(args.job, args.watermarkUtc);
      return { before, after: await store.watermark(args.job) };
    },

    async startRun({ runId, job, correlationId }: RunRef): Promise<void> {
      await store.startRun({ runId, job, correlationId });
    },

    /**
     * Closes the job's rows left `Running` by workflows that ended without closing them
     * (terminated, timed out), naming the run that closed them; returns how many.
     */
    async closeOrphanedRuns(args: { job: JobName; by: RunRef }): Promise<number> {
      let closed = 0;
      for (const row of await store.openRuns(args.job)) {
        if (row.runId === args.by.runId || !row.correlationId) continue;
        const ended = await workflowRuns.endedAs(row.correlationId);
        if (!ended) continue;
        const message = `closed by run ${args.by.runId} (${args.by.correlationId}): its workflow ended ${ended} without closing this row`;
        await store.finishRun({ runId: row.runId, status: 'Failed', message });
        log.warn('closed a JobRunHistory row its workflow left Running', { jobRunId: row.runId, correlationId: row.correlationId, ended });
        closed++;
      }
      return closed;
    },

    /** Closes the JobRunHistory row and writes the run's one-line JSON summary log. */
    async finishRun(args: RunRef & { status: FinishedStatus; counts: RunCounts; error?: string }): Promise<void> {
      await store.finishRun({ runId: args.runId, status: args.status, message: countsMessage(args.counts, args.error) });
      writeLine(
        JSON.stringify({
          time: new Date().toISOString(),
          level: 'INFO',
          msg: 'run summary',
          jobName: args.job,
          jobRunId: args.runId,
          status: args.status,
          counts: args.counts,
          ...(args.error === undefined ? {} : { error: args.error }),
          correlationId: args.correlationId,
          startedAtUtc: args.startedAtUtc,
          completedAtUtc: new Date().toISOString(),
        }),
      );
    },

    async storedReportsPerDay(): Promise<number | null> {
      return store.storedReportsPerDay();
    },

    async storedReportsIn(days: { from: string; to: string }): Promise<number> {
      return store.storedReportsIn(days);
    },

    /** Lets the first call of a new run test a refused token again (once per run: it is recorded again if refused). */
    async retestRefusedToken(): Promise<void> {
      await store.refuseToken(null);
    },

    async pendingEnrichment(limit: number): Promise<string[]> {
      return store.pendingEnrichment(limit);
    },

    /** Records a summary day that still failed after its tries, so later runs read it again. */
    async recordMissedDay(args: { day: string; error: string }): Promise<void> {
      log.warn('summary day missed; later runs read it again', args);
      await store.recordMissedDay(args);
    },

    async missedDays(): Promise<MissedDay[]> {
      return store.missedDays();
    },

    /** The operator's view of the quarantine, after requeueing the named reports (or all) when asked. */
    async quarantine(args: { requeue?: string[] | 'all'; limit: number }): Promise<{ requeued: number; quarantined: QuarantinedReport[] }> {
      const requeued = args.requeue ? await store.requeueQuarantined(args.requeue === 'all' ? undefined : args.requeue) : 0;
      return { requeued, quarantined: await store.quarantinedReports(args.limit) };
    },

    /**
     * One summary call for the window, then reports, ledger, watermark and the refresh requests
     * of edited reports (of every stored report, with `refreshStored`) in one transaction. A
     * window read ahead first moves the watermark over the windows before it that are all saved
     * (`watermarkAtLeastUtc`), and tells the newest Updated_On it stored and how many windows the
     * latency asks to keep in flight.
     */
    async ingestWindow(args: {
      runId: string;
      window: Window;
      advanceWatermark: boolean;
      refreshStored?: boolean;
      watermarkAtLeastUtc?: string;
      /** The run's priority, budget and budget key in the call lane. */
      caller?: LaneCaller;
    }): Promise<IngestedWindow> {
      if (args.watermarkAtLeastUtc) {
        await store.advanceWatermark(INGESTION_JOB, args.watermarkAtLeastUtc);
        metrics.watermarkMoved(await store.watermark(INGESTION_JOB));
      }
      const body = await heartbeating(({ sleep, signal }) =>
        callingGoAudits(() => lane.call((state) => goaudits.summary(args.window, { signal, ...state }), sleep, args.caller)),
      );
      const { reports, fetched, skipped, skippedBy } = await callingGoAudits(async () => normaliseSummary(body));
      if (skipped > 0) log.info('summary rows skipped (counted in Skipped=)', { window: args.window, skippedBy });
      const notAfterUtc = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const saved = await store.saveSummaryWindow({
        runId: args.runId,
        reports,
        advanceWatermark: args.advanceWatermark,
        refreshStored: args.refreshStored,
        watermarkNotAfterUtc: notAfterUtc,
      });
      const newestUtc = reports.reduce<string | null>(
        (newest, r) => (newest === null || r.completedAtUtc > newest ? r.completedAtUtc : newest),
        null,
      );
      metrics.summaryWindowSaved({ ingested: saved.ingested.length, watermarkUtc: saved.watermarkUtc });
      await store.forgetMissedDays(args.window);
      return {
        fetched,
        eligible: reports.length,
        skipped,
        alreadyProcessed: saved.alreadyProcessed,
        ingestedIds: saved.ingested,
        refreshIds: saved.refresh,
        watermarkUtc: saved.watermarkUtc,
        newestUtc: newestUtc !== null && newestUtc > notAfterUtc ? notAfterUtc : newestUtc,
        windowsAhead: callsInFlightWanted({
          ratePerSecond: settings.laneCallsPerSecond,
          latency: latency.snapshot(),
          ceiling: MOST_WINDOWS_AHEAD,
        }),
      };
    },

    /**
     * One enrichment batch (see enrichment-batch.ts); heartbeats after each report and resumes from
     * there. Its heartbeated counts also go to its run every few seconds (see shared/batch-progress.ts).
     */
    async enrichBatch(args: EnrichBatchInput): Promise<EnrichBatchResult> {
      const progress = throttledBatchProgress(args.reportIds[0], signalOwnRun());
      return heartbeating<BatchProgress, EnrichBatchResult>((activity) =>
        enrichBatch(
          {
            store,
            goaudits,
            lane,
            retry: settings.apiRetry,
            quarantineAfter: settings.quarantineAfter,
            metrics,
            latency,
            laneCallsPerSecond: settings.laneCallsPerSecond,
          },
          args,
          {
            ...activity,
            heartbeat(next) {
              activity.heartbeat(next);
              progress(next.counts);
            },
            warn: (message, attributes) => void log.warn(message, attributes),
          },
        ),
      );
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
