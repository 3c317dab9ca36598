import { addCounts, noEnrichment, type EnrichmentCounts } from '../shared/counts';
import type { BatchProgressReport } from '../shared/batch-progress';

/**
 * The counts of the batches a run has running, as their progress signals last gave them: added
 * to the run's counts, so its progress moves with each report, not with each batch. A batch's
 * entry goes when its result is counted; a signal for a batch not running (one that arrives
 * after the batch's result) is ignored, so nothing is counted twice.
 */
export class BatchesInFlight {
  private readonly running = new Map<string, EnrichmentCounts>();

  start(batch: string): void {
    this.running.set(batch, noEnrichment());
  }

  /** Takes a batch's latest counts; false when the batch is not running. */
  report({ batch, counts }: BatchProgressReport): boolean {
    if (!this.running.has(batch)) return false;
    this.running.set(batch, counts);
    return true;
  }

  end(batch: string): void {
    this.running.delete(batch);
  }

  /** The running batches' counts, summed. */
  get counts(): EnrichmentCounts {
    return [...this.running.values()].reduce((sum, counts) => addCounts(sum, counts), noEnrichment());
  }
}
