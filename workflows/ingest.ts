import {
  continueAsNew,
  log,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { IngestedWindow, RunRef } from '../activities';
import { INGESTION_JOB } from '../activities/store/store';
import { addCounts, noEnrichment, noIngestion, type EnrichmentCounts, type IngestionCounts } from './counts';
import { controlsSignal, installControls, type Controls } from './controls';
import { ingestionInputSchema, parseInput, type IngestionInput } from './inputs';
import { progressQuery } from './messages';
import { pacer } from './pace';
import { dayAfter, ingestionStart, planWindows, splitWindow, utcDate, type Window } from './plan';
import { pace, progressMarkdown, type Progress } from './progress';
import { pipeline, goAudits } from './activities';
import { isAuthFailure } from './failures';
import { failingRun, finishRun, newRun } from './run-history';
import { REPORTS_INGESTED, RUN_KIND, WINDOWS_DONE, WINDOWS_TOTAL, type RunKind } from './search-attributes';
import type { PipelineSettings } from './settings';
import { enrichmentWorkflow } from './enrich';
import { estimate, type Estimate } from './estimate';

/** Everything a run carries into its next history when it continues as new. */
export interface IngestionCursor {
  run: RunRef;
  kind: RunKind;
  from: string;
  to: string;
  /** First day of the next window. */
  next: string;
  windowDays: number;
  advanceWatermark: boolean;
  windowsDone: number;
  windowsTotal: number;
  counts: IngestionCounts;
  enrichment: EnrichmentCounts;
  controls: Controls;
  /** How many histories this run has had; names the enrichment child of each. */
  segment: number;
}

export interface IngestionResult {
  runId: string;
  counts: IngestionCounts;
  /** Enrichment of the reports this run ingested, over all its segments. */
  enrichment: EnrichmentCounts;
  windows: number;
}

/** A history this long continues as new (well under Temporal's warnings), unless the input says less. */
const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 4000;
/** New reports that make a segment stop to enrich them before going on. */
const REPORTS_PER_SEGMENT = 2000;

/**
 * Hourly ingestion, and a backfill when started with `from` (and `to`): plan summary windows,
 * store each window's new reports in one transaction, enrich them, and continue as new before
 * the history grows large. Pausable and tunable while it runs; a dry run only plans.
 */
export async function ingestionWorkflow(rawInput?: IngestionInput): Promise<IngestionResult | Estimate> {
  const input = parseInput(ingestionInputSchema, rawInput, 'ingestion');
  const settings = await pipeline.pipelineSettings();
  const cursor = input.cursor ?? (await firstCursor(input, settings));
  if (input.dryRun) return estimate(cursor, settings, await pipeline.storedReportsPerDay());
  if (!input.cursor) await pipeline.startRun(cursor.run);
  return new IngestionRun(cursor, settings, input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS).go(input);
}

async function firstCursor(input: IngestionInput, settings: PipelineSettings): Promise<IngestionCursor> {
  const today = utcDate(Date.now());
  const watermarkUtc = input.from ? null : await pipeline.readWatermark(INGESTION_JOB);
  const from = ingestionStart({ from: input.from, watermarkUtc, startDate: settings.startDate, today });
  const to = input.to ?? settings.endDate ?? today;
  const windowDays = input.windowDays ?? settings.windowDays;
  return {
    run: newRun(INGESTION_JOB),
    kind: input.from ? 'backfill' : 'hourly',
    from,
    to,
    next: from,
    windowDays,
    advanceWatermark: !input.from,
    windowsDone: 0,
    windowsTotal: planWindows({ from, to, windowDays }).length,
    counts: noIngestion(),
    enrichment: noEnrichment(),
    controls: {
      paused: false,
      batchSize: input.batchSize ?? settings.batchSize,
      concurrency: input.concurrency ?? settings.concurrency,
      rateLimitPerSecond: input.rateLimitPerSecond,
    },
    segment: 1,
  };
}

class IngestionRun {
  private readonly api;
  private readonly controls;
  private readonly pace;
  private readonly newReportIds: string[] = [];
  private currentWindow?: Window;
  private enrichmentChild?: ChildWorkflowHandle<typeof enrichmentWorkflow>;

  constructor(
    private readonly cursor: IngestionCursor,
    settings: PipelineSettings,
    private readonly continueAsNewAfterEvents: number,
  ) {
    this.api = goAudits(settings);
    this.controls = installControls(cursor.controls, (controls) => {
      this.cursor.controls = controls;
      void this.enrichmentChild?.signal(controlsSignal, controls);
      this.publish();
    });
    this.pace = pacer(() => this.controls.current.rateLimitPerSecond);
    setHandler(progressQuery, () => this.progress());
    upsertSearchAttributes([{ key: RUN_KIND, value: cursor.kind }]);
    this.publish();
  }

  async go(input: IngestionInput): Promise<IngestionResult> {
    const more = await failingRun(this.cursor.run, () => this.cursor.counts, () => this.segment());
    if (more) {
      await continueAsNew<typeof ingestionWorkflow>({ ...input, cursor: { ...this.cursor, segment: this.cursor.segment + 1 } });
    }
    await finishRun(this.cursor.run, 'Succeeded', this.cursor.counts);
    return { runId: this.cursor.run.runId, counts: this.cursor.counts, enrichment: this.cursor.enrichment, windows: this.cursor.windowsDone };
  }

  /** Ingests windows until the plan ends or the history is long enough; true when more remain. */
  private async segment(): Promise<boolean> {
    const { to, windowDays } = this.cursor;
    while (this.cursor.next <= to && !this.segmentFull()) {
      await this.controls.unlessPaused();
      const [window] = planWindows({ from: this.cursor.next, to, windowDays });
      this.currentWindow = window;
      this.publish();
      for (const saved of await this.ingestSplitting(window)) this.count(saved);
      this.cursor.windowsDone++;
      this.cursor.next = dayAfter(window.endDate);
    }
    this.currentWindow = undefined;
    await this.enrichNewReports();
    this.publish();
    return this.cursor.next <= to;
  }

  private segmentFull(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= this.continueAsNewAfterEvents || this.newReportIds.length >= REPORTS_PER_SEGMENT;
  }

  /** One summary call for the window; when it still fails after its retries, its halves, and so on down to one day. */
  private async ingestSplitting(window: Window): Promise<IngestedWindow[]> {
    await this.pace();
    try {
      return [await this.api.ingestWindow({ runId: this.cursor.run.runId, window, advanceWatermark: this.cursor.advanceWatermark })];
    } catch (error) {
      const halves = splitWindow(window);
      if (isAuthFailure(error) || !halves) throw error;
      log.warn('summary window failed; splitting it in halves', { window, halves });
      return [...(await this.ingestSplitting(halves[0])), ...(await this.ingestSplitting(halves[1]))];
    }
  }

  private count(saved: IngestedWindow) {
    this.newReportIds.push(...saved.ingestedIds);
    this.cursor.counts = addCounts(this.cursor.counts, {
      fetched: saved.fetched,
      eligible: saved.eligible,
      ingested: saved.ingestedIds.length,
      skipped: saved.skipped,
      alreadyProcessed: saved.alreadyProcessed,
      pages: 1,
    });
  }

  /** The segment's new reports, enriched by one enrichment run (its own JobRunHistory row). */
  private async enrichNewReports(): Promise<void> {
    if (this.newReportIds.length === 0) return;
    const { paused, ...tuning } = this.controls.current;
    this.enrichmentChild = await startChild(enrichmentWorkflow, {
      workflowId: `${workflowInfo().workflowId}-enrichment-${this.cursor.segment}`,
      args: [{ reportIds: this.newReportIds.splice(0), paused, ...tuning }],
    });
    const enriched = await this.enrichmentChild.result();
    this.enrichmentChild = undefined;
    this.cursor.enrichment = addCounts(this.cursor.enrichment, enriched.counts);
  }

  private progress(): Progress {
    const { kind, from, to, windowsDone, windowsTotal, counts, enrichment, controls, run } = this.cursor;
    return {
      kind, from, to, windowsDone, windowsTotal, currentWindow: this.currentWindow, ingestion: counts, enrichment, controls,
      startedAtUtc: run.startedAtUtc,
      ...pace({ startedAtUtc: run.startedAtUtc, nowMs: Date.now(), windowsDone, windowsTotal, ingested: counts.ingested }),
    };
  }

  /** Search attributes and current details, so the Web UI shows where the run is. */
  private publish() {
    const p = this.progress();
    upsertSearchAttributes([
      { key: WINDOWS_DONE, value: p.windowsDone },
      { key: WINDOWS_TOTAL, value: p.windowsTotal },
      { key: REPORTS_INGESTED, value: p.ingestion.ingested },
    ]);
    setCurrentDetails(progressMarkdown(p));
  }
}
