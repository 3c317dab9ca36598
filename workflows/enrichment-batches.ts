import { CancellationScope, condition, patched, setHandler } from '@temporalio/workflow';
import type { RunRef } from '../shared/records';
import { ENRICHMENT_JOB } from '../shared/jobs';
import type { GoAuditsActivities } from './activities';
import type { RunLane } from './lane-waits';
import { addCounts, noEnrichment, type EnrichmentCounts } from '../shared/counts';
import type { Controls } from './controls';
import { authHalt } from './failures';
import { closeFailedRun, finishRun, startRun } from './run-history';
import { BatchesInFlight } from './batches-in-flight';
import { batchProgressSignal } from './messages';
import { batchSlots, slotCeiling } from '../shared/concurrency';

/** What enrichment carries into the next history when its run continues as new. */
export interface EnrichmentCursor {
  /** The GoAuditsEnrichment row, once the first batch started it. */
  run?: RunRef;
  /** Reports waiting for a batch, oldest first. */
  queued: string[];
  counts: EnrichmentCounts;
}

/** What a batch activity gives back: its counts, and the reports it did not do when the lane sent the run away. */
type EnrichBatchResult = Awaited<ReturnType<GoAuditsActivities['enrichBatch']>>;

export const noEnrichmentYet = (): EnrichmentCursor => ({ queued: [], counts: noEnrichment() });

/** Most reports that wait for a batch: ingestion holds its next window while this many wait. */
export const MOST_QUEUED_REPORTS = 1000;

/**
 * A run that continued as new sends out the reports it carried at once. Before, they waited for
 * its first window; with MOST_QUEUED_REPORTS or more carried, ingestion held that window for room
 * only a batch could make, and the run waited forever. Histories of earlier runs replay as they ran.
 */
const CARRIED_REPORTS_SENT_AT_ONCE = 'carried-reports-sent-at-once';

/**
 * Each batch keeps several reports in flight (its share of `concurrency`, or `auto`), and a run
 * keeps up to BATCHES_AT_ONCE batches going. Runs that began before it sent `concurrency`
 * batches of one report at a time; their histories replay that way.
 */
const BATCHES_KEEP_CALLS_IN_FLIGHT = 'batches-keep-calls-in-flight';

/**
 * Enrichment as a sliding window of batches. Reports queue up as they are ingested (or selected
 * by a sweep); while fewer than `concurrency` batches run and the run is not paused, the next
 * `batchSize` queued reports go out as one batch activity, so enrichment streams behind
 * ingestion and GoAudits never idles between the two. The run's GoAuditsEnrichment row opens with
 * its first batch. A refused token or a failed batch stops new batches; the running ones finish.
 */
export class EnrichmentBatches {
  private running = 0;
  private failure: Error | undefined;
  private stopping: 'no' | 'when-queue-empty' | 'now' = 'no';
  private pumping?: Promise<void>;
  private rowStarted: Promise<RunRef> | undefined;
  private readonly inFlight = new BatchesInFlight();
  /** Whether batches keep several reports in flight (see BATCHES_KEEP_CALLS_IN_FLIGHT), decided once per history. */
  private readonly inParallel: boolean;
  /** The slots of the batches running, each with its share of the ceiling. */
  private readonly slotsTaken = new Set<number>();

  constructor(
    private readonly api: GoAuditsActivities,
    private readonly controls: { readonly current: Controls },
    readonly cursor: EnrichmentCursor,
    /** Called after every change that progress shows. */
    private readonly changed: () => void,
    /** Names the row's part in its workflow when that workflow writes another row too. */
    private readonly rowPart?: string,
    /** The run's other callers of GoAudits, with whom the batches share the run's own rate (the window reader). */
    private readonly otherCallers: () => number = () => 0,
    /** Who the batches call for in the call lane, and where the run waits when the lane sends it away. */
    private readonly lane?: RunLane,
  ) {
    if (cursor.run) this.rowStarted = Promise.resolve(cursor.run);
    setHandler(batchProgressSignal, (report) => {
      if (this.inFlight.report(report)) this.changed();
    });
    this.inParallel = patched(BATCHES_KEEP_CALLS_IN_FLIGHT);
  }

  /** How many batches the run keeps going at once (see shared/concurrency.ts). */
  get slots(): number {
    return batchSlots(this.controls.current.concurrency, this.inParallel);
  }

  /** The counts of the batches that have ended. */
  get counts(): EnrichmentCounts {
    return this.cursor.counts;
  }

  /** The counts so far for progress: those of the batches that have ended and, as last signalled, of those running. */
  get countsSoFar(): EnrichmentCounts {
    return addCounts(this.cursor.counts, this.inFlight.counts);
  }

  get batchesRunning(): number {
    return this.running;
  }

  /** Opens the GoAuditsEnrichment row now (a sweep has one even when it finds nothing to do). */
  async openRun(): Promise<RunRef> {
    this.rowStarted ??= startRun(ENRICHMENT_JOB, this.rowPart).then((run) => (this.cursor.run = run));
    return this.rowStarted;
  }

  /** Queues reports for enrichment and starts sending out batches. */
  add(reportIds: string[]): void {
    this.cursor.queued.push(...reportIds);
    this.cursor.counts = addCounts(this.cursor.counts, { selected: reportIds.length });
    void this.pumpOnce();
    this.changed();
  }

  /** Starts sending out the reports this run carried over from its previous history, if any. */
  sendCarried(): void {
    if (this.cursor.queued.length > 0 && patched(CARRIED_REPORTS_SENT_AT_ONCE)) void this.pumpOnce();
  }

  /** Whether the queue has room for another window's reports (MOST_QUEUED_REPORTS), or enrichment halted. */
  get hasRoom(): boolean {
    return this.cursor.queued.length < MOST_QUEUED_REPORTS || this.halted;
  }

  /** Waits while the queue is full, so the reports in memory and in a continue-as-new stay bounded. */
  async roomForMore(): Promise<void> {
    await condition(() => this.cursor.queued.length < MOST_QUEUED_REPORTS || this.halted);
  }

  /**
   * Waits until enrichment is over: every queued report enriched (`all`), or only the batches
   * already running (`running`, before continue-as-new; the queue stays in the cursor). Throws
   * the failure that stopped it, or the auth halt.
   */
  async drain(what: 'all' | 'running'): Promise<void> {
    this.stopping = what === 'all' ? 'when-queue-empty' : 'now';
    await this.pumpOnce();
    if (this.failure !== undefined) throw this.failure;
    if (this.cursor.counts.authFatal) throw authHalt('enrichment');
  }

  /**
   * Closes the GoAuditsEnrichment row, if one was opened, the way the run ended; returns the
   * error to throw. After a failure or a cancel, it first stops new batches and waits until the
   * running ones have ended (a cancelled batch ends at its next heartbeat), even while the run is
   * being cancelled: no batch writes after its row says how the run ended.
   */
  async close(error?: unknown): Promise<unknown> {
    if (error !== undefined) {
      this.stopping = 'now';
      await CancellationScope.nonCancellable(() => condition(() => this.running === 0));
    }
    const run = this.cursor.run;
    if (!run) return error;
    if (error === undefined) {
      await finishRun(run, 'Succeeded', this.cursor.counts);
      return undefined;
    }
    return closeFailedRun(run, this.cursor.counts, error);
  }

  /** True once a refused token or a failed batch stopped new batches. */
  get halted(): boolean {
    return this.failure !== undefined || this.cursor.counts.authFatal;
  }

  private noMoreBatches(): boolean {
    // A running batch may still give reports back (the lane sent the run away): the queue is over once none runs.
    const queueOver = this.cursor.queued.length === 0 && this.running === 0;
    return this.halted || this.stopping === 'now' || (this.stopping === 'when-queue-empty' && queueOver);
  }

  private roomForBatch(): boolean {
    return this.cursor.queued.length > 0 && !this.controls.current.paused && this.running < this.slots && !this.lane?.waits.current;
  }

  /**
   * Starts sending out batches, once. The pump's promise is marked handled at once: a cancel
   * rejects it while the run awaits something else (a summary window), and a rejection nothing
   * handles fails the workflow task; drain() still receives it.
   */
  private pumpOnce(): Promise<void> {
    if (!this.pumping) {
      this.pumping = this.pump();
      this.pumping.catch(() => undefined);
    }
    return this.pumping;
  }

  private async pump(): Promise<void> {
    for (;;) {
      await condition(() => this.noMoreBatches() || this.roomForBatch());
      if (this.noMoreBatches()) break;
      this.send(this.cursor.queued.splice(0, this.controls.current.batchSize));
    }
    await condition(() => this.running === 0);
  }

  /**
   * Adds a batch's counts. When the lane sent the run away, the reports it did not do go back to
   * the front of the queue (counted once: they were selected already) and the run waits.
   */
  private settle({ laneWait, notDone = [], ...counts }: EnrichBatchResult): void {
    this.cursor.counts = addCounts(this.cursor.counts, counts);
    if (!laneWait || !this.lane) return;
    this.cursor.queued.unshift(...notDone);
    // Marked handled: a cancel rejects the wait while the run awaits something else (drain() ends the run).
    this.lane.waits.waitOut(laneWait, this.changed).catch(() => undefined);
  }

  /**
   * Sends out a batch in a free slot, with its share of the run's ceiling of calls in flight and
   * of the run's own rate (one of the slots and the run's other callers). A running batch keeps
   * the shares it started with.
   */
  private send(reportIds: string[]): void {
    this.running++;
    const batch = reportIds[0];
    this.inFlight.start(batch);
    const { concurrency, rateLimitPerSecond } = this.controls.current;
    const callsPerSecond = rateLimitPerSecond && rateLimitPerSecond / (this.slots + this.otherCallers());
    let slot = 0;
    while (this.slotsTaken.has(slot)) slot++;
    this.slotsTaken.add(slot);
    const mostInFlight = this.inParallel ? { mostInFlight: slotCeiling(concurrency, slot) } : {};
    this.openRun()
      .then((run) => this.api.enrichBatch({ runId: run.runId, reportIds, callsPerSecond, ...mostInFlight, caller: this.lane?.caller() }))
      .then(
        (result) => this.settle(result),
        (error: unknown) => void (this.failure ??= error instanceof Error ? error : new Error(String(error))),
      )
      .finally(() => {
        this.running--;
        this.inFlight.end(batch);
        this.slotsTaken.delete(slot);
        this.changed();
      });
  }
}
