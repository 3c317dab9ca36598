import type { EnrichmentCounts } from './counts';

/**
 * The signal a running enrichment batch sends its run, so the run's progress counts the reports
 * done by batches still running. One every BATCH_PROGRESS_EVERY_MS at most per batch: each signal
 * is a history event (and a workflow task), never one per report.
 */
export const BATCH_PROGRESS_SIGNAL = 'batchProgress';

/** The least time between two progress signals of one batch; a batch shorter than this sends none (its result carries its counts). */
export const BATCH_PROGRESS_EVERY_MS = 3_000;

export interface BatchProgressReport {
  /** The batch, named by its first report: a report is in one batch of a run at a time. */
  batch: string;
  /** The batch's counts so far (those of its heartbeat details). */
  counts: EnrichmentCounts;
}
