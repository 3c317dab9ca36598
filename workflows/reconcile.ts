import {
  continueAsNew,
  setCurrentDetails,
  setHandler,
  setWorkflowOptions,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { RECONCILE_JOB } from '../shared/jobs';
import { addCounts, noIngestion, type ReconcileCounts } from '../shared/counts';
import { dayAfter, planWindows, utcDate, type Window } from '../shared/plan';
import { pacer } from '../shared/pace';
import type { PipelineSettings } from '../shared/settings';
import {
  addClassCounts,
  addFirstIds,
  differenceTotal,
  FIRST_IDS,
  isSuspectDay,
  noDifferences,
  noIds,
  type ClassCounts,
  type ClassIds,
  type DayCheck,
  type DetailsLevel,
} from '../shared/reconcile';
import { initialControls, installControls, type ControlHandlers, type LiveControls } from './controls';
import { EnrichmentBatches, noEnrichmentYet } from './enrichment-batches';
import { parseInput, reconcileInputSchema, type ReconcileInput } from './inputs';
import { progressQuery } from './messages';
import { paceAndEta, progressMarkdown, type Progress } from './progress';
import { ActiveCallRate } from './call-rate';
import { laneWaitOf, runLane, type RunLane } from './lane-waits';
import { runPriority, type LaneCaller } from '../shared/lane-caller';
import { goAudits, pipeline } from './activities';
import { FAILING_VISIBLY } from './failing-visibly';
import { closeFailedRun, finishRun, newRun } from './run-history';
import { RUN_KIND, WINDOWS_DONE, WINDOWS_TOTAL } from './search-attributes';
import { LATER_WINDOW_DAYS, reconcileEstimate, type ReconcileEstimate } from './reconcile-estimate';
import type { ReconcileCursor, ReconciledDay, UnlistedReport } from './reconcile-cursor';

export interface ReconcileResult {
  runId: string;
  from: string;
  to: string;
  /** How the details were checked (`none`, a sample, or every report). */
  details: string;
  /** True when nothing differs at the end (after the repair, when asked for). */
  identical: boolean;
  /** What the first pass found, by class, with the first ids of each and the first differing question keys. */
  found: ClassCounts;
  firstIds: ClassIds;
  differingKeys: Record<string, string[]>;
  /** Days where most stored reports vanished from GoAudits at once: their `gone` reports are never deleted. */
  suspectDays: string[];
  /** Days with a difference (identical days are left out). */
  days: ReconciledDay[];
  /** What the repair did: reports stored, refreshes asked for and enriched, gone reports deleted, or not (another run held them, or they were deleted meanwhile). */
  repair?: {
    ingested: number;
    refreshRequested: number;
    enriched: number;
    failed: number;
    deleted: number;
    deletedIds: string[];
    notDeleted: string[];
  };
  /** What still differs after the repair (the same as `found` without one), with the first ids. */
  remaining: ClassCounts;
  remainingIds: ClassIds;
  calls: { summary: number; details: number; detailsBusy: number };
  counts: ReconcileCounts;
}

const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 4000;
/** Gone reports deleted per activity (one transaction each). */
const DELETE_CHUNK = 100;

const noReconcile = (): ReconcileCounts => ({
  days: 0,
  listed: 0,
  held: 0,
  identical: 0,
  ...noDifferences(),
  suspectDays: 0,
  summaryCalls: 0,
  detailsCalls: 0,
  ingested: 0,
  refreshRequested: 0,
  deleted: 0,
  remaining: 0,
});

/**
 * Proves the tables match GoAudits over a range, and repairs what differs when told to: one
 * summary call per day of the range (normalised as ingestion does) compared with the reports
 * stored on it, details calls for a sample of each day (or all), then the later days up to today
 * read once, in windows, for the stored reports their day did not list. Without `repair` it only
 * reports. With it: `missing` and `stale` reports go through the day's normal summary window,
 * `unenriched` and `answersDiffer` ones get a refresh, all enriched by the normal batches; `gone`
 * reports are deleted only with `deleteGone`, never on a suspect day; then the affected days are
 * checked again. Pausable, tunable, cancellable; continues as new on long ranges.
 */
export async function reconcileWorkflow(rawInput?: ReconcileInput): Promise<ReconcileResult | ReconcileEstimate> {
  const input = parseInput(reconcileInputSchema, rawInput, 'reconcile');
  const controls = installControls();
  const settings = await pipeline.pipelineSettings();
  const cursor = input.cursor ?? firstCursor(input, settings);
  if (input.dryRun) return reconcileEstimate(cursor, settings, await pipeline.storedPerDay({ from: cursor.from, to: cursor.to }));
  if (!input.cursor) {
    await pipeline.startRun(cursor.run);
    await pipeline.closeOrphanedRuns({ job: RECONCILE_JOB, by: cursor.run });
    await pipeline.retestRefusedToken();
  }
  return new Reconcile(cursor, settings, controls, input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS).run(input);
}

function firstCursor(input: ReconcileInput, settings: PipelineSettings): ReconcileCursor {
  const today = utcDate(Date.now());
  const yesterday = utcDate(Date.now() - 86_400_000);
  const from = input.from ?? utcDate(Date.now() - (input.lastDays ?? 1) * 86_400_000);
  const to = input.to ?? (input.from ? today : yesterday);
  return {
    run: newRun(RECONCILE_JOB),
    from,
    to,
    today,
    details: input.details ?? 0,
    repair: input.repair ?? false,
    deleteGone: input.deleteGone ?? false,
    next: from,
    daysTotal: planWindows({ from, to, windowDays: 1 }).length,
    days: [],
    found: noDifferences(),
    firstIds: noIds(),
    differingKeys: {},
    unlisted: [],
    listedElsewhere: [],
    counts: noReconcile(),
    detailsBusy: 0,
    enrichment: noEnrichmentYet(),
    controls: initialControls(input, settings),
  };
}

/** The details level as the result states it. */
function detailsStated(level: DetailsLevel): string {
  if (level === 'all') return 'all: every stored report of each day';
  if (level === 0) return 'none';
  return `a sample of ${level} per day: the stored reports with the lowest sha256(report id), those identical at summary level`;
}

class Reconcile {
  private readonly api;
  private readonly controls: LiveControls;
  private readonly enrichment: EnrichmentBatches;
  /** Who this run's calls are for in the call lane (a long run's priority, its budget), and its waits there. */
  private readonly lane: RunLane;
  private readonly pace;
  private readonly rate = new ActiveCallRate();
  private currentDay?: string;
  private phase = 'checking days';
  private checking = true;
  private shown = '';

  constructor(
    private readonly cursor: ReconcileCursor,
    private readonly settings: PipelineSettings,
    handlers: ControlHandlers,
    private readonly continueAsNewAfterEvents: number,
  ) {
    const publish = () => this.publish();
    this.controls = handlers.steer(cursor.controls, (controls) => {
      this.cursor.controls = controls;
      publish();
    });
    this.api = goAudits(settings, runPriority('reconcile'));
    this.lane = runLane('reconcile', this.controls);
    this.enrichment = new EnrichmentBatches(
      this.api,
      this.controls,
      cursor.enrichment,
      publish,
      'enrichment',
      () => Number(this.checking),
      this.lane,
    );
    this.pace = pacer(() => this.checkerShare(), sleep);
    setHandler(progressQuery, () => this.progress());
    upsertSearchAttributes([{ key: RUN_KIND, value: 'reconcile' }]);
    this.publish();
  }

  async run(input: ReconcileInput): Promise<ReconcileResult> {
    let more = false;
    let result: ReconcileResult | undefined;
    try {
      this.enrichment.sendCarried();
      more = await this.checkDays();
      if (more) await this.enrichment.drain('running');
      else result = await this.finish();
    } catch (error) {
      await this.enrichment.close(error);
      throw await closeFailedRun(this.cursor.run, this.cursor.counts, error);
    }
    if (more || !result) return continueAsNew<typeof reconcileWorkflow>({ ...input, cursor: this.cursor });
    await this.enrichment.close();
    await pipeline.reconciled(result.remaining);
    await finishRun(this.cursor.run, 'Succeeded', this.cursor.counts);
    return result;
  }

  /** Checks the days of the range in order (repairing each when asked) until the range ends (false) or the history is long enough (true). */
  private async checkDays(): Promise<boolean> {
    const { cursor } = this;
    while (cursor.next <= cursor.to && !this.enrichment.halted) {
      if (this.historyFull()) return true;
      await this.controls.unlessPaused();
      await this.enrichment.roomForMore();
      this.currentDay = cursor.next;
      this.publish();
      const check = await this.checkDay(cursor.next, cursor.repair);
      this.record(check);
      if (cursor.repair) await this.repairDay(check);
      cursor.next = dayAfter(cursor.next);
    }
    this.currentDay = undefined;
    this.checking = false;
    return false;
  }

  private async checkDay(day: string, fullIds: boolean): Promise<DayCheck> {
    await this.pace();
    const check = await this.inLane((caller) =>
      this.api.checkDay({
        runId: this.cursor.run.runId,
        day,
        details: this.cursor.details,
        fullIds,
        callsPerSecond: this.checkerShare(),
        caller,
      }),
    );
    this.cursor.counts = addCounts(this.cursor.counts, { summaryCalls: check.summaryCalls, detailsCalls: check.detailsCalls });
    this.cursor.detailsBusy += check.detailsBusy;
    return check;
  }

  /** A GoAudits activity of the run; when the call lane sends the run away (budget, quota), it waits, then calls again. */
  private async inLane<T>(call: (caller: LaneCaller) => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await call(this.lane.caller());
      } catch (error) {
        const wait = laneWaitOf(error);
        if (!wait) throw error;
        await this.lane.waits.waitOut(wait, () => this.publish());
      }
    }
  }

  /** A day's first-pass findings, in the cursor. */
  private record(check: DayCheck): void {
    const { cursor } = this;
    cursor.counts = addCounts(cursor.counts, {
      days: 1,
      listed: check.listed,
      held: check.held,
      identical: check.identical,
      ...check.counts,
    });
    cursor.found = addClassCounts(cursor.found, check.counts);
    cursor.firstIds = addFirstIds(cursor.firstIds, check.ids);
    for (const [id, keys] of Object.entries(check.differingKeys)) {
      if (Object.keys(cursor.differingKeys).length < FIRST_IDS) cursor.differingKeys[id] = keys;
    }
    cursor.unlisted.push(...check.unlisted.map((reportId) => ({ reportId, day: check.day })));
    cursor.listedElsewhere.push(...check.listedElsewhere);
    cursor.days.push({
      day: check.day,
      listed: check.listed,
      held: check.held,
      identical: check.identical,
      ...check.counts,
      suspect: false,
    });
    this.publish();
  }

  /**
   * Mends one day: its `missing` and `stale` reports through the day's normal summary window
   * (ledger rows that claim a missing report forgotten first), its `unenriched` and
   * `answersDiffer` ones through a refresh request; all of them go to the normal batches.
   */
  private async repairDay(check: DayCheck): Promise<void> {
    const toEnrich: string[] = [];
    if (check.counts.missing + check.counts.stale > 0) {
      await pipeline.forgetLedgerOfMissing(check.ids.missing);
      toEnrich.push(...(await this.saveWindow({ startDate: check.day, endDate: check.day })));
    }
    const refresh = [...check.ids.unenriched, ...check.ids.answersDiffer];
    if (refresh.length > 0) {
      this.cursor.counts = addCounts(this.cursor.counts, { refreshRequested: await pipeline.requestRefresh(refresh) });
      toEnrich.push(...refresh);
    }
    if (toEnrich.length > 0) this.enrichment.add([...new Set(toEnrich)]);
  }

  /** The normal summary window (watermark left alone): stores what is missing, asks refreshes of what changed; returns those ids. */
  private async saveWindow(window: Window): Promise<string[]> {
    await this.pace();
    const saved = await this.inLane((caller) =>
      this.api.ingestWindow({ runId: this.cursor.run.runId, window, advanceWatermark: false, caller }),
    );
    const refreshIds = saved.refreshIds ?? [];
    this.cursor.counts = addCounts(this.cursor.counts, {
      summaryCalls: 1,
      ingested: saved.ingestedIds.length,
      refreshRequested: refreshIds.length,
    });
    return [...saved.ingestedIds, ...refreshIds];
  }

  /** After the days: gone reports settled (deleted when told), enrichment drained, affected days checked again. */
  private async finish(): Promise<ReconcileResult> {
    const { cursor } = this;
    this.phase = 'reading later days for reports their day did not list';
    this.publish();
    const { gone, later } = await this.settleUnlisted(cursor.unlisted, cursor.listedElsewhere, cursor.repair);
    for (const report of later) this.count(report, 'stale');
    for (const report of gone) this.count(report, 'gone');
    const suspectDays = cursor.days.filter((day) => (day.suspect = isSuspectDay(day))).map((day) => day.day);
    cursor.counts = addCounts(cursor.counts, { suspectDays: suspectDays.length });
    const deletion = cursor.deleteGone ? await this.deleteGone(gone.filter((report) => !suspectDays.includes(report.day))) : undefined;
    this.phase = 'enriching what the repair asked for';
    this.publish();
    await this.enrichment.drain('all');
    const repaired = cursor.repair && differenceTotal(cursor.found) > 0;
    const { remaining, remainingIds } = repaired
      ? await this.checkAgain(cursor.days.filter((day) => differenceTotal(day) > 0).map((day) => day.day))
      : { remaining: cursor.found, remainingIds: cursor.firstIds };
    cursor.counts = addCounts(cursor.counts, { remaining: differenceTotal(remaining) });
    const enriched = this.enrichment.counts;
    return {
      runId: cursor.run.runId,
      from: cursor.from,
      to: cursor.to,
      details: detailsStated(cursor.details),
      identical: differenceTotal(remaining) === 0,
      found: cursor.found,
      firstIds: cursor.firstIds,
      differingKeys: cursor.differingKeys,
      suspectDays,
      days: cursor.days.filter((day) => differenceTotal(day) > 0 || day.suspect),
      repair: cursor.repair
        ? {
            ingested: cursor.counts.ingested,
            refreshRequested: cursor.counts.refreshRequested,
            enriched: enriched.processed,
            failed: enriched.failedCount,
            deleted: deletion?.deleted.length ?? 0,
            deletedIds: (deletion?.deleted ?? []).slice(0, FIRST_IDS),
            notDeleted: (deletion?.notDeleted ?? []).slice(0, FIRST_IDS),
          }
        : undefined,
      remaining,
      remainingIds,
      calls: { summary: cursor.counts.summaryCalls, details: cursor.counts.detailsCalls, detailsBusy: cursor.detailsBusy },
      counts: cursor.counts,
    };
  }

  /** Counts a report settled after the days were checked in its day's row. */
  private count(report: UnlistedReport, name: 'stale' | 'gone'): void {
    const { cursor } = this;
    const day = cursor.days.find((row) => row.day === report.day);
    if (day) day[name]++;
    cursor.found = addClassCounts(cursor.found, { [name]: 1 });
    cursor.firstIds = addFirstIds(cursor.firstIds, { [name]: [report.reportId] });
    cursor.counts = addCounts(cursor.counts, { [name]: 1 });
  }

  /**
   * Stored reports their day did not list: those listed on another day of the range are settled
   * already (stale there); the others are looked for in the days after the range up to today,
   * LATER_WINDOW_DAYS per summary call, until all are found. Found: `stale` (with `repair`, the
   * window that lists them is saved, moving them to their new day); never found: `gone`.
   */
  private async settleUnlisted(
    unlisted: UnlistedReport[],
    listedElsewhere: string[],
    repair: boolean,
  ): Promise<{ gone: UnlistedReport[]; later: UnlistedReport[] }> {
    const elsewhere = new Set(listedElsewhere.map((id) => id.toLowerCase()));
    let open = unlisted.filter((report) => !elsewhere.has(report.reportId.toLowerCase()));
    const later: UnlistedReport[] = [];
    const { to, today } = this.cursor;
    const windows = open.length > 0 && to < today ? planWindows({ from: dayAfter(to), to: today, windowDays: LATER_WINDOW_DAYS }) : [];
    for (const window of windows) {
      if (open.length === 0) break;
      await this.controls.unlessPaused();
      await this.pace();
      const reportIds = open.map((report) => report.reportId);
      const listed = new Set(await this.inLane((caller) => this.api.listedIn({ window, reportIds, caller })));
      this.cursor.counts = addCounts(this.cursor.counts, { summaryCalls: 1 });
      if (listed.size === 0) continue;
      later.push(...open.filter((report) => listed.has(report.reportId)));
      open = open.filter((report) => !listed.has(report.reportId));
      if (repair) this.enrichment.add(await this.saveWindow(window));
    }
    return { gone: open, later };
  }

  /** Deletes gone reports (each archived, in its own transaction); those another run holds (or no longer stored) are left. */
  private async deleteGone(gone: UnlistedReport[]): Promise<{ deleted: string[]; notDeleted: string[] }> {
    this.phase = 'deleting gone reports';
    this.publish();
    const deleted: string[] = [];
    const notDeleted: string[] = [];
    for (let start = 0; start < gone.length; start += DELETE_CHUNK) {
      const chunk = gone.slice(start, start + DELETE_CHUNK).map((report) => report.reportId);
      const done = await pipeline.deleteGoneReports({ reportIds: chunk, runId: this.cursor.run.runId });
      deleted.push(...done.deleted);
      notDeleted.push(...done.notDeleted);
    }
    this.cursor.counts = addCounts(this.cursor.counts, { deleted: deleted.length });
    return { deleted, notDeleted };
  }

  /** Checks the days with differences again, after the repair: what still differs. */
  private async checkAgain(days: string[]): Promise<{ remaining: ClassCounts; remainingIds: ClassIds }> {
    this.phase = `checking ${days.length} repaired days again`;
    this.publish();
    let remaining = noDifferences();
    let remainingIds = noIds();
    const unlisted: UnlistedReport[] = [];
    const listedElsewhere: string[] = [];
    for (const day of days) {
      await this.controls.unlessPaused();
      const check = await this.checkDay(day, false);
      remaining = addClassCounts(remaining, check.counts);
      remainingIds = addFirstIds(remainingIds, check.ids);
      unlisted.push(...check.unlisted.map((reportId) => ({ reportId, day })));
      listedElsewhere.push(...check.listedElsewhere);
    }
    const { gone, later } = await this.settleUnlisted(unlisted, listedElsewhere, false);
    remaining = addClassCounts(remaining, { gone: gone.length, stale: later.length });
    remainingIds = addFirstIds(remainingIds, { gone: gone.map((r) => r.reportId), stale: later.map((r) => r.reportId) });
    return { remaining, remainingIds };
  }

  /** The day checker's share of the run's own rate: one caller beside the batch slots. */
  private checkerShare(): number | undefined {
    const { rateLimitPerSecond } = this.controls.current;
    return rateLimitPerSecond && rateLimitPerSecond / (this.enrichment.slots + 1);
  }

  private historyFull(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= this.continueAsNewAfterEvents;
  }

  private callsMade(): number {
    const { summaryCalls, detailsCalls } = this.cursor.counts;
    const enrichment = this.enrichment.countsSoFar;
    return summaryCalls + detailsCalls + enrichment.processed + enrichment.failedCount;
  }

  private progress(): Progress {
    const { cursor } = this;
    const enrichment = this.enrichment.countsSoFar;
    const daysDone = cursor.days.length;
    const checkCalls = cursor.counts.summaryCalls + cursor.counts.detailsCalls;
    const callsPerDay = daysDone === 0 ? 1 : checkCalls / daysDone;
    return {
      kind: 'reconcile',
      from: cursor.from,
      to: cursor.to,
      windowsDone: daysDone,
      windowsTotal: cursor.daysTotal,
      currentWindow: this.currentDay ? { startDate: this.currentDay, endDate: this.currentDay } : undefined,
      ingestion: {
        ...noIngestion(),
        pages: this.callsMade(),
        ingested: cursor.counts.ingested,
        refreshRequested: cursor.counts.refreshRequested,
      },
      enrichment,
      queued: cursor.enrichment.queued.length,
      batchesRunning: this.enrichment.batchesRunning,
      controls: cursor.controls,
      startedAtUtc: cursor.run.startedAtUtc,
      // The checks' calls stand for the windows: those made, and those the days left should take at the calls per day seen.
      ...paceAndEta({
        nowMs: Date.now(),
        rate: this.rate,
        limitPerSecond: Math.min(this.settings.laneCallsPerSecond, cursor.controls.rateLimitPerSecond ?? Infinity),
        paused: cursor.controls.paused,
        laneWait: this.lane.waits.current,
        windowsDone: daysDone === 0 ? 0 : checkCalls,
        windowsTotal: Math.round(cursor.daysTotal * callsPerDay),
        enrichment,
      }),
      reconcile: { differences: cursor.found, suspectDays: cursor.counts.suspectDays, phase: this.phase },
    };
  }

  /** Search attributes and current details, so the Web UI shows where the reconcile is. */
  private publish(): void {
    // A paused run still runs while its batches finish; a run the lane sent away does not.
    const running = (!this.cursor.controls.paused || this.enrichment.batchesRunning > 0) && !this.lane.waits.current;
    this.rate.record(Date.now(), this.callsMade(), running);
    const p = this.progress();
    const shown = `${p.windowsDone}/${p.windowsTotal}`;
    if (shown !== this.shown) {
      this.shown = shown;
      upsertSearchAttributes([
        { key: WINDOWS_DONE, value: p.windowsDone },
        { key: WINDOWS_TOTAL, value: p.windowsTotal },
      ]);
    }
    setCurrentDetails(progressMarkdown(p));
  }
}

setWorkflowOptions(FAILING_VISIBLY, reconcileWorkflow);
