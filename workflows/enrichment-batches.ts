import { CancellationScope, condition, patched, setHandler } from '@temporalio/workflow';
import type { RunRef } from '../shared/records';
import { ENRICHMENT_JOB } from '../shared/jobs';
import type { GoAuditsActivities } from './activities';
import { addCounts, noEnrichment, type EnrichmentCounts } from '../shared/counts';
import type { Controls } from './controls';
import { authHalt } from './failures';
import { closeFailedRun, finishRun, startRun } from './run-history';
import { BatchesInFlight } from './batches-in-flight';
import { batchProgressSignal } from './messages';

/** What enrichment carries into the next history when its run continues as new. */
export interface EnrichmentCursor {
  /** The GoAuditsEnrichment row, once the first batch started it. */
  run?: RunRef;
  /** Reports waiting for a batch, oldest first. */
  queued: string[];
  counts: EnrichmentCounts;
}

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
  ) {
    if (cursor.run) this.rowStarted = Promise.resolve(cursor.run);
    setHandler(batchProgressSignal, (report) => {
      if (this.inFlight.report(report)) this.changed();
    });
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
    return this.halted || this.stopping === 'now' || (this.stopping === 'when-queue-empty' && this.cursor.queued.length === 0);
  }

  private roomForBatch(): boolean {
    const { paused, concurrency } = this.controls.current;
    return this.cursor.queued.length > 0 && !paused && this.running < concurrency;
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

  /** Sends out a batch, with its share of the run's own rate: one of the `concurrency` slots and the run's other callers. */
  private send(reportIds: string[]): void {
    this.running++;
    const batch = reportIds[0];
    this.inFlight.start(batch);
    const { concurrency, rateLimitPerSecond } = this.controls.current;
    const callsPerSecond = rateLimitPerSecond && rateLimitPerSecond / (concurrency + this.otherCallers());
    this.openRun()
      .then((run) => this.api.enrichBatch({ runId: run.runId, reportIds, callsPerSecond }))
      .then(
        (counts) => void (this.cursor.counts = addCounts(this.cursor.counts, counts)),
        (error: unknown) => void (this.failure ??= error instanceof Error ? error : new Error(String(error))),
      )
      .finally(() => {
        this.running--;
        this.inFlight.end(batch);
        this.changed();
      });
  }
}
