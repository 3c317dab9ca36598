import {
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  setWorkflowOptions,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { IngestedWindow } from '../shared/records';
import { runPriority } from '../shared/lane-caller';
import { laneWaitOf, runLane, type RunLane } from './lane-waits';
import { INGESTION_JOB } from '../shared/jobs';
import { addCounts, noIngestion, type EnrichmentCounts, type IngestionCounts } from '../shared/counts';
import { initialControls, installControls, type ControlHandlers } from './controls';
import { EnrichmentBatches, noEnrichmentYet } from './enrichment-batches';
import { ingestionInputSchema, parseInput, type IngestionInput } from './inputs';
import { progressQuery } from './messages';
import { pacer } from '../shared/pace';
import { dayAfter, ingestionStart, planWindows, splitWindow, utcDate, type Window } from '../shared/plan';
import { callsMade, paceAndEta, progressMarkdown, type Progress } from './progress';
import { ActiveCallRate } from './call-rate';
import { pipeline, goAudits } from './activities';
import { isAuthFailure, rootMessage } from './failures';
import { INVALID_RANGE } from '../shared/failure-types';
import { FAILING_VISIBLY } from './failing-visibly';
import { closeFailedRun, finishRun, newRun } from './run-history';
import { REPORTS_INGESTED, RUN_KIND, WINDOWS_DONE, WINDOWS_TOTAL } from './search-attributes';
import type { PipelineSettings } from '../shared/settings';
import { estimate, type Estimate } from './estimate';
import type { IngestionCursor } from './ingestion-cursor';
import { FIRST_WINDOWS_AHEAD, LEAST_WINDOWS_AHEAD, laterUtc, savedPrefix, windowsLeft, type WindowAhead } from './read-ahead';

export interface IngestionResult {
  runId: string;
  counts: IngestionCounts;
  /** Enrichment of the reports this run ingested, over all its histories. */
  enrichment: EnrichmentCounts;
  windows: number;
}

/**
 * The run's own rate (`rateLimitPerSecond`) is shared by all its callers: the window reader and
 * each batch slot. Runs that began before it gave windows and batches the whole rate each (twice
 * the rate while both called); their histories replay that way.
 */
const RATE_SHARED_BY_WINDOWS_AND_BATCHES = 'rate-shared-by-windows-and-batches';

/**
 * Several summary windows in flight at once (as many as the latency asks for, up to
 * MOST_WINDOWS_AHEAD), each saved in its own transaction without moving the watermark; the run
 * moves it over the windows at the head that are all saved (see read-ahead.ts). Runs that began
 * before it read one window at a time, each moving the watermark; their histories replay that way.
 */
const WINDOWS_READ_AHEAD = 'windows-read-ahead';

/** A history this long continues as new (well under Temporal's warnings), unless the input says less. */
const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 4000;

/**
 * Hourly ingestion, and a backfill when started with `from` (and `to`): read the summary
 * windows from the watermark's day (or `from`) to today, store each window's new reports in one
 * transaction, and enrich them in batches while the next windows are read. Continues as new
 * before the history grows large; pausable and tunable while it runs; a dry run only plans.
 */
export async function ingestionWorkflow(rawInput?: IngestionInput): Promise<IngestionResult | Estimate> {
  const input = parseInput(ingestionInputSchema, rawInput, 'ingestion');
  const controls = installControls();
  const settings = await pipeline.pipelineSettings();
  const cursor = input.cursor ?? (await firstCursor(input, settings));
  if (input.dryRun) {
    const stored = cursor.refreshStored ? await pipeline.storedReportsIn({ from: cursor.from, to: cursor.to }) : undefined;
    return estimate(cursor, settings, await pipeline.storedReportsPerDay(), stored);
  }
  if (!input.cursor) {
    await pipeline.startRun(cursor.run);
    await pipeline.closeOrphanedRuns({ job: INGESTION_JOB, by: cursor.run });
    await pipeline.retestRefusedToken();
  }
  return new IngestionRun(cursor, settings, controls, input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS).run(input);
}

async function firstCursor(input: IngestionInput, settings: PipelineSettings): Promise<IngestionCursor> {
  const today = utcDate(Date.now());
  const watermarkUtc = input.from ? null : await pipeline.readWatermark(INGESTION_JOB);
  const from = ingestionStart({
    from: input.from,
    watermarkUtc,
    startDate: settings.startDate,
    today,
    lookbackDays: settings.lookbackDays,
  });
  // An hourly run reads again the days earlier runs missed (those from `from` on are in its range anyway).
  const retryDays = input.from ? [] : (await pipeline.missedDays()).map(({ day }) => day).filter((day) => day < from);
  const to = input.to ?? settings.endDate ?? today;
  const windowDays = input.windowDays ?? settings.windowDays;
  if (from > to && input.from) {
    throw ApplicationFailure.nonRetryable(`nothing to backfill: from ${from} is after to ${to}`, INVALID_RANGE);
  }
  if (from > to) {
    log.warn('nothing to ingest: the watermark is after the last day to read', { from, to, watermarkUtc });
  }
  return {
    run: newRun(INGESTION_JOB),
    kind: input.from ? 'backfill' : 'hourly',
    from,
    to,
    next: from,
    retryDays,
    windowDays,
    advanceWatermark: !input.from,
    refreshStored: input.refresh ?? false,
    windowsDone: 0,
    windowsTotal: retryDays.length + (from > to ? 0 : planWindows({ from, to, windowDays }).length),
    counts: noIngestion(),
    enrichment: noEnrichmentYet(),
    controls: {
      ...initialControls(input, settings),
      maxCallsPerDay: input.maxCallsPerDay ?? (input.from ? settings.backfillMaxCallsPerDay : undefined),
    },
  };
}

class IngestionRun {
  private readonly api;
  /** Who this run's calls are for in the call lane (its kind's priority, its budget), and its waits there. */
  private readonly lane: RunLane;
  private readonly controls;
  private readonly enrichment;
  private readonly pace;
  private readonly rate: ActiveCallRate;
  private currentWindow?: Window;
  /** Whether this run reads windows ahead (see WINDOWS_READ_AHEAD), decided once per history. */
  private readonly readsAhead: boolean;
  /** The windows read ahead, oldest first, until the head ones are all saved. */
  private readonly ahead: WindowAhead[] = [];
  /** How many windows to keep in flight: what the last window saved said the latency asks for. */
  private windowsWanted = FIRST_WINDOWS_AHEAD;
  private windowsInFlight = 0;
  private readingFailure?: { error: unknown };
  /** The newest Updated_On of the windows all saved, and what of it is in the watermark for sure. */
  private savedUtc: string | null = null;
  private writtenUtc: string | null = null;
  /** The window reader's turns at the run's own pace, one after another. */
  private paced = Promise.resolve();
  /** The search attributes last upserted: each upsert is a history event, so only changes are sent. */
  private shown = '';

  constructor(
    private readonly cursor: IngestionCursor,
    private readonly settings: PipelineSettings,
    handlers: ControlHandlers,
    private readonly continueAsNewAfterEvents: number,
  ) {
    this.api = goAudits(settings, runPriority(cursor.kind));
    this.rate = new ActiveCallRate(cursor.callsPerSecond);
    this.controls = handlers.steer(cursor.controls, (controls) => {
      this.cursor.controls = controls;
      this.publish();
    });
    this.lane = runLane(cursor.kind, this.controls);
    this.enrichment = new EnrichmentBatches(
      this.api,
      this.controls,
      cursor.enrichment,
      () => this.publish(),
      'enrichment',
      () => (this.nextWindow() !== undefined && this.rateShared() ? 1 : 0),
      this.lane,
    );
    this.pace = pacer(() => this.windowsShare(), sleep);
    this.readsAhead = patched(WINDOWS_READ_AHEAD);
    setHandler(progressQuery, () => this.progress());
    upsertSearchAttributes([{ key: RUN_KIND, value: cursor.kind }]);
    this.publish();
  }

  /**
   * Reads windows and enriches their reports until the plan ends, then closes both rows; or,
   * when the history is long enough, lets the running batches finish and continues as new with
   * the waiting reports in the cursor.
   */
  async run(input: IngestionInput): Promise<IngestionResult> {
    let more: boolean;
    try {
      this.enrichment.sendCarried();
      more = await (this.readsAhead ? this.ingestWindowsAhead() : this.ingestWindows());
      await this.enrichment.drain(more ? 'running' : 'all');
    } catch (error) {
      await this.enrichment.close(error);
      throw await closeFailedRun(this.cursor.run, this.cursor.counts, error);
    }
    if (more) {
      await continueAsNew<typeof ingestionWorkflow>({
        ...input,
        cursor: { ...this.cursor, callsPerSecond: this.rate.forecast(Date.now()) },
      });
    }
    await this.enrichment.close();
    await finishRun(this.cursor.run, 'Succeeded', this.cursor.counts);
    return {
      runId: this.cursor.run.runId,
      counts: this.cursor.counts,
      enrichment: this.enrichment.counts,
      windows: this.cursor.windowsDone,
    };
  }

  /** Ingests windows until the plan ends (false) or the history is long enough (true). */
  private async ingestWindows(): Promise<boolean> {
    for (let window = this.nextWindow(); window && !this.enrichment.halted; window = this.nextWindow()) {
      if (this.historyFull()) return true;
      await this.controls.unlessPaused();
      await this.enrichment.roomForMore();
      this.currentWindow = window;
      this.publish();
      for (const saved of await this.ingestSplitting(window)) this.countAndQueue(saved);
      this.cursor.windowsDone++;
      if (this.cursor.retryDays[0] === window.startDate) this.cursor.retryDays.shift();
      else this.cursor.next = dayAfter(window.endDate);
    }
    this.currentWindow = undefined;
    this.publish();
    return false;
  }

  /**
   * Ingests windows until the plan ends (false) or the history is long enough (true), several
   * in flight at once: a window starts while fewer than wanted are in flight, the run is not
   * paused and the enrichment queue has room. Windows leave the read-ahead in order, once all
   * before them are saved: the cursor moves over them, and the watermark, with the next window
   * started or, at the end, on its own. On a failure the windows in flight end first.
   */
  private async ingestWindowsAhead(): Promise<boolean> {
    try {
      for (;;) {
        await condition(() => this.readingFailure !== undefined || this.headSaved() || this.canReadAhead() || this.readingOver());
        if (this.readingFailure !== undefined) throw this.readingFailure.error;
        if (this.headSaved()) this.leaveSavedPrefix();
        else if (this.canReadAhead()) this.readAhead();
        else if (this.readingOver()) break;
      }
    } catch (error) {
      await CancellationScope.nonCancellable(() => condition(() => this.windowsInFlight === 0));
      throw error;
    }
    await this.writeWatermark();
    this.currentWindow = undefined;
    this.publish();
    return this.windowAhead() !== undefined && !this.enrichment.halted;
  }

  /** The next window to start: the one after those in the read-ahead. */
  private windowAhead(): Window | undefined {
    return windowsLeft(this.cursor, this.ahead.length + 1)[this.ahead.length];
  }

  private headSaved(): boolean {
    return this.ahead.length > 0 && this.ahead[0].saved;
  }

  private canReadAhead(): boolean {
    return (
      !this.enrichment.halted &&
      !this.controls.current.paused &&
      !this.lane.waits.current &&
      this.enrichment.hasRoom &&
      this.ahead.length < this.windowsWanted &&
      this.windowAhead() !== undefined &&
      !this.historyFull()
    );
  }

  /** Nothing in flight, and nothing more to start: the plan is done, the history full, or enrichment halted. */
  private readingOver(): boolean {
    return this.ahead.length === 0 && (this.enrichment.halted || this.windowAhead() === undefined || this.historyFull());
  }

  private readAhead(): void {
    const entry: WindowAhead = { window: this.windowAhead()!, saved: false, newestUtc: null };
    this.ahead.push(entry);
    this.windowsInFlight++;
    this.currentWindow = this.ahead[0].window;
    const carried = this.savedUtc !== null && this.savedUtc !== this.writtenUtc ? this.savedUtc : undefined;
    void this.ingestSplitting(entry.window, carried)
      .then((saved) => {
        for (const window of saved) this.countAndQueue(window);
        this.cursor.windowsDone++;
        entry.newestUtc = saved.reduce<string | null>((newest, window) => laterUtc(newest, window.newestUtc ?? null), null);
        entry.saved = true;
        if (carried !== undefined && saved.length > 0) this.writtenUtc = laterUtc(this.writtenUtc, carried);
        const wanted = saved.at(-1)?.windowsAhead;
        if (wanted !== undefined) this.windowsWanted = Math.max(LEAST_WINDOWS_AHEAD, wanted);
      })
      .catch((error: unknown) => void (this.readingFailure ??= { error }))
      .finally(() => {
        this.windowsInFlight--;
        this.publish();
      });
    this.publish();
  }

  /** The head windows that are all saved leave the read-ahead: the cursor moves past them, and the watermark may. */
  private leaveSavedPrefix(): void {
    const { count, newestUtc } = savedPrefix(this.ahead);
    for (const { window } of this.ahead.splice(0, count)) {
      if (this.cursor.retryDays[0] === window.startDate) this.cursor.retryDays.shift();
      else this.cursor.next = dayAfter(window.endDate);
    }
    if (this.cursor.advanceWatermark) this.savedUtc = laterUtc(this.savedUtc, newestUtc);
    this.currentWindow = this.ahead[0]?.window;
    this.publish();
  }

  /** Moves the watermark over the windows all saved, unless a window read ahead has done it already. */
  private async writeWatermark(): Promise<void> {
    if (this.savedUtc === null || this.savedUtc === this.writtenUtc) return;
    await pipeline.advanceWatermark(this.savedUtc);
    this.writtenUtc = this.savedUtc;
  }

  /** Whether this run shares its own rate among its callers (see RATE_SHARED_BY_WINDOWS_AND_BATCHES); asked only once it has a rate. */
  private rateShared(): boolean {
    return this.controls.current.rateLimitPerSecond !== undefined && patched(RATE_SHARED_BY_WINDOWS_AND_BATCHES);
  }

  /** The window reader's share of the run's own rate: one caller among it and the batch slots. */
  private windowsShare(): number | undefined {
    const { rateLimitPerSecond } = this.controls.current;
    return rateLimitPerSecond && (this.rateShared() ? rateLimitPerSecond / (this.enrichment.slots + 1) : rateLimitPerSecond);
  }

  /** A day an earlier run missed, else the range's next window; none when the plan is done. */
  private nextWindow(): Window | undefined {
    const { retryDays, next, to, windowDays } = this.cursor;
    if (retryDays.length > 0) return { startDate: retryDays[0], endDate: retryDays[0] };
    return next <= to ? planWindows({ from: next, to, windowDays })[0] : undefined;
  }

  private historyFull(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= this.continueAsNewAfterEvents;
  }

  /**
   * One summary call for the window; when it still fails after its retries, its halves, and so
   * on down to one day. A day that still fails is recorded as missed (later runs read it again)
   * and the run goes on: one bad day never blocks the rest.
   */
  private async ingestSplitting(window: Window, watermarkAtLeastUtc?: string): Promise<IngestedWindow[]> {
    // Windows in flight take their turns at the run's pace one after another.
    await (this.readsAhead ? (this.paced = this.paced.then(this.pace)) : this.pace());
    try {
      const { run, refreshStored } = this.cursor;
      // Read ahead, windows never move the watermark themselves (see WINDOWS_READ_AHEAD).
      const advanceWatermark = this.cursor.advanceWatermark && !this.readsAhead;
      const ahead = watermarkAtLeastUtc === undefined ? {} : { watermarkAtLeastUtc };
      return [
        await this.api.ingestWindow({ runId: run.runId, window, advanceWatermark, refreshStored, caller: this.lane.caller(), ...ahead }),
      ];
    } catch (error) {
      // Sent away by the call lane (budget, quota): the run waits, then reads the same window.
      const wait = laneWaitOf(error);
      if (wait) {
        await this.lane.waits.waitOut(wait, () => this.publish());
        return this.ingestSplitting(window, watermarkAtLeastUtc);
      }
      if (isAuthFailure(error) || isCancellation(error)) throw error;
      const halves = splitWindow(window);
      if (!halves) {
        await pipeline.recordMissedDay({ day: window.startDate, error: rootMessage(error) });
        this.cursor.counts = addCounts(this.cursor.counts, { missedDays: 1 });
        return [];
      }
      log.warn('summary window failed; splitting it in halves', { window, halves, error: rootMessage(error) });
      return [
        ...(await this.ingestSplitting(halves[0], watermarkAtLeastUtc)),
        ...(await this.ingestSplitting(halves[1], watermarkAtLeastUtc)),
      ];
    }
  }

  /** A window's counts, and its new and edited reports queued for enrichment. */
  private countAndQueue(saved: IngestedWindow) {
    const refreshIds = saved.refreshIds ?? [];
    this.cursor.counts = addCounts(this.cursor.counts, {
      fetched: saved.fetched,
      eligible: saved.eligible,
      ingested: saved.ingestedIds.length,
      skipped: saved.skipped,
      alreadyProcessed: saved.alreadyProcessed,
      pages: 1,
      refreshRequested: refreshIds.length,
    });
    this.enrichment.add([...saved.ingestedIds, ...refreshIds]);
  }

  private progress(): Progress {
    const { kind, from, to, windowsDone, windowsTotal, counts, controls, run } = this.cursor;
    const enrichment = this.enrichment.countsSoFar;
    return {
      kind,
      from,
      to,
      windowsDone,
      windowsTotal,
      currentWindow: this.currentWindow,
      ...(this.readsAhead ? { windowsInFlight: this.windowsInFlight } : {}),
      ingestion: counts,
      enrichment,
      queued: this.cursor.enrichment.queued.length,
      batchesRunning: this.enrichment.batchesRunning,
      controls,
      startedAtUtc: run.startedAtUtc,
      ...paceAndEta({
        nowMs: Date.now(),
        rate: this.rate,
        limitPerSecond: Math.min(this.settings.laneCallsPerSecond, controls.rateLimitPerSecond ?? Infinity),
        paused: controls.paused,
        laneWait: this.lane.waits.current,
        windowsDone,
        windowsTotal,
        enrichment,
      }),
    };
  }

  /** Search attributes and current details, so the Web UI shows where the run is. */
  private publish() {
    // A paused run still runs while its batches finish; a run the lane sent away does not.
    const running = (!this.cursor.controls.paused || this.enrichment.batchesRunning > 0) && !this.lane.waits.current;
    this.rate.record(Date.now(), callsMade(this.cursor.counts, this.enrichment.countsSoFar), running);
    const p = this.progress();
    const shown = `${p.windowsDone}/${p.windowsTotal}/${p.ingestion.ingested}`;
    if (shown !== this.shown) {
      this.shown = shown;
      upsertSearchAttributes([
        { key: WINDOWS_DONE, value: p.windowsDone },
        { key: WINDOWS_TOTAL, value: p.windowsTotal },
        { key: REPORTS_INGESTED, value: p.ingestion.ingested },
      ]);
    }
    setCurrentDetails(progressMarkdown(p));
  }
}

setWorkflowOptions(FAILING_VISIBLY, ingestionWorkflow);
