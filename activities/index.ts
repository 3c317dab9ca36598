import { log } from '@temporalio/activity';
import { heartbeating } from './heartbeating';
import type { Window } from '../workflows/plan';
import type { PipelineSettings } from '../workflows/settings';
import { countsMessage, type EnrichmentCounts, type IngestionCounts } from '../workflows/counts';
import { normaliseSummary } from './goaudits/summary';
import type { JobName, Store } from './store/store';
import { asActivityFailure } from './failures';
import type { GoAuditsClient } from './goaudits/client';
import type { CallLane } from './goaudits/call-lane';
import { enrichBatch, type BatchProgress, type EnrichBatchInput } from './enrichment-batch';

/** The two GoAudits calls, as the activities need them. */
export type GoAuditsApi = Pick<GoAuditsClient, 'summary' | 'details'>;

export interface ActivityDeps {
  store: Store;
  goaudits: GoAuditsApi;
  /** The shared call lane every GoAudits call waits its turn in. */
  lane: CallLane;
  settings: PipelineSettings;
  /** Where the one-line JSON run summary goes (stdout by default). */
  writeLine?: (line: string) => void;
}

export interface IngestedWindow {
  fetched: number;
  eligible: number;
  skipped: number;
  alreadyProcessed: number;
  /** Ids stored for the first time by this window, for enrichment. */
  ingestedIds: string[];
  watermarkUtc: string | null;
}

export interface RunRef {
  runId: string;
  job: JobName;
  correlationId: string;
  /** When the workflow started the run (workflow time). */
  startedAtUtc: string;
}

export type FinishedStatus = 'Succeeded' | 'Failed' | 'Cancelled';

/** Calls GoAudits and reads its answer; errors become the Temporal failures that retry them correctly. */
async function callingGoAudits<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asActivityFailure(error);
  }
}

/** Every side effect of the pipeline, as thin functions over the injected adapters. */
export function createActivities({ store, goaudits, lane, settings, writeLine = (line) => console.log(line) }: ActivityDeps) {
  return {
    async pipelineSettings(): Promise<PipelineSettings> {
      return settings;
    },

    async readWatermark(job: JobName): Promise<string | null> {
      return store.watermark(job);
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

    /** Closes the JobRunHistory row and writes today's one-line JSON summary log. */
    async finishRun(
      args: RunRef & { status: FinishedStatus; counts: IngestionCounts | EnrichmentCounts; error?: string },
    ): Promise<void> {
      await store.finishRun({ runId: args.runId, status: args.status, message: countsMessage(args.counts, args.error) });
      writeLine(
        JSON.stringify({
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

    async pendingEnrichment(limit: number): Promise<string[]> {
      return store.pendingEnrichment(limit);
    },

    /** One summary call for the window, then reports, ledger and watermark in one transaction. */
    async ingestWindow(args: { runId: string; window: Window; advanceWatermark: boolean }): Promise<IngestedWindow> {
      const body = await heartbeating(({ sleep, signal }) =>
        callingGoAudits(() => lane.call(() => goaudits.summary(args.window, { signal }), sleep)),
      );
      const { reports, fetched, skipped } = await callingGoAudits(async () => normaliseSummary(body));
      const saved = await store.saveSummaryWindow({ runId: args.runId, reports, advanceWatermark: args.advanceWatermark });
      return {
        fetched,
        eligible: reports.length,
        skipped,
        alreadyProcessed: saved.alreadyProcessed,
        ingestedIds: saved.ingested,
        watermarkUtc: saved.watermarkUtc,
      };
    },

    /** One enrichment batch (see enrichment-batch.ts); heartbeats after each report and resumes from there. */
    async enrichBatch(args: EnrichBatchInput): Promise<EnrichmentCounts> {
      return heartbeating<BatchProgress, EnrichmentCounts>((activity) =>
        enrichBatch({ store, goaudits, lane, retry: settings.apiRetry }, args, { ...activity, warn: (message, attributes) => log.warn(message, attributes) }),
      );
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
