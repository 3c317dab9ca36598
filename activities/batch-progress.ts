import { addCounts, noEnrichment, type EnrichmentCounts } from '../shared/counts';

/**
 * Where a batch is, heartbeated after each report: a retry resumes from it without redoing or
 * skipping a report. With several reports in flight they end out of order, so it holds the
 * prefix of reports all done and the positions done beyond it.
 */
export interface BatchProgress {
  /** Reports done from the batch's start, in order: every one before this position is done. */
  done: number;
  /** Positions after `done` whose reports are done too (absent: none, and in heartbeats of batches that ran one report at a time). */
  alsoDone?: number[];
  /** The batch's counts so far. */
  counts: EnrichmentCounts;
  /** The batch's GoAudits calls in flight now and what it aims for; the worker process's recent latency (ms). */
  calls?: { inFlight: number; wanted: number; p50Ms?: number; p95Ms?: number };
}

/** The reports of one batch, which of them are done, and their counts. */
export class BatchReports {
  private done: number;
  private readonly alsoDone: Set<number>;
  private counts: EnrichmentCounts;

  constructor(
    private readonly reportIds: readonly string[],
    resumed?: BatchProgress,
  ) {
    this.done = resumed?.done ?? 0;
    this.alsoDone = new Set(resumed?.alsoDone ?? []);
    this.counts = resumed?.counts ?? noEnrichment();
    this.advance();
  }

  /** The positions still to do, in order. */
  todo(): number[] {
    const positions: number[] = [];
    for (let at = this.done; at < this.reportIds.length; at++) if (!this.alsoDone.has(at)) positions.push(at);
    return positions;
  }

  idAt(position: number): string {
    return this.reportIds[position];
  }

  /** Records the report at `position` done, with what it adds to the counts. */
  finish(position: number, counts: Partial<EnrichmentCounts>): void {
    if (position < this.done || this.alsoDone.has(position)) throw new Error(`report ${position} of the batch is done already`);
    this.alsoDone.add(position);
    this.counts = addCounts(this.counts, counts);
    this.advance();
  }

  get soFar(): EnrichmentCounts {
    return this.counts;
  }

  progress(): BatchProgress {
    return {
      done: this.done,
      ...(this.alsoDone.size > 0 ? { alsoDone: [...this.alsoDone].sort((a, b) => a - b) } : {}),
      counts: this.counts,
    };
  }

  private advance(): void {
    while (this.alsoDone.delete(this.done)) this.done++;
  }
}
