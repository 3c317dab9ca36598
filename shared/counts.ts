/** The counts each run logs and writes to JobRunHistory.Message, with the legacy jobs' names. */

export interface IngestionCounts {
  fetched: number;
  eligible: number;
  ingested: number;
  skipped: number;
  alreadyProcessed: number;
  pages: number;
  /** One-day windows that still failed after their tries: recorded, and read again by later runs. */
  missedDays: number;
  /** Reports stored earlier whose details are to be fetched again: edited in GoAudits, or a `--refresh` backfill. */
  refreshRequested: number;
}

export interface EnrichmentCounts {
  selected: number;
  processed: number;
  certUpdatedCount: number;
  answersInsertedCount: number;
  markedProcessedCount: number;
  certMissingCount: number;
  failedCount: number;
  /** Failed reports that reached GOAUDITS_QUARANTINE_AFTER failures in this run: sweeps skip them from now on. */
  quarantinedCount: number;
  /** Reports left alone because another run was enriching them, or had enriched them. */
  enrichedElsewhereCount: number;
  /** Reports whose stored answers and certificate were replaced by their latest details (edited, or refreshed on demand). */
  refreshedCount: number;
  authFatal: boolean;
}

/** A reconcile's counts: what it compared, what differed (first pass), what it repaired, and what still differs. */
export interface ReconcileCounts {
  days: number;
  listed: number;
  held: number;
  identical: number;
  missing: number;
  stale: number;
  gone: number;
  unenriched: number;
  answersDiffer: number;
  suspectDays: number;
  summaryCalls: number;
  detailsCalls: number;
  /** Repairs: reports stored by the repair's summary windows, refreshes asked for, gone reports deleted. */
  ingested: number;
  refreshRequested: number;
  deleted: number;
  /** Differences left at the end, all classes. */
  remaining: number;
}

/** Counts of any run, as its JobRunHistory row writes them. */
export type RunCounts = IngestionCounts | EnrichmentCounts | ReconcileCounts;

export const noIngestion = (): IngestionCounts => ({
  fetched: 0,
  eligible: 0,
  ingested: 0,
  skipped: 0,
  alreadyProcessed: 0,
  pages: 0,
  missedDays: 0,
  refreshRequested: 0,
});

export const noEnrichment = (): EnrichmentCounts => ({
  selected: 0,
  processed: 0,
  certUpdatedCount: 0,
  answersInsertedCount: 0,
  markedProcessedCount: 0,
  certMissingCount: 0,
  failedCount: 0,
  quarantinedCount: 0,
  enrichedElsewhereCount: 0,
  refreshedCount: 0,
  authFatal: false,
});

/** Field-wise sum; booleans are or-ed (one fatal batch makes the run fatal). */
export function addCounts<T extends RunCounts>(total: T, more: Partial<T>): T {
  const sum: Record<string, number | boolean> = { ...total };
  for (const [key, value] of Object.entries(more)) {
    const current = sum[key];
    sum[key] = typeof value === 'boolean' ? Boolean(current) || value : Number(current ?? 0) + Number(value);
  }
  return sum as unknown as T;
}

/**
 * The one-line JobRunHistory message in the legacy jobs' words, so queries on Message keep working:
 * `Fetched=12 Eligible=10 Ingested=7 Skipped=2 AlreadyProcessed=3 Pages=1 MissedDays=0 RefreshRequested=1` or
 * `Selected=50 Processed=49 CertUpdated=40 ... Failed=1 Quarantined=0 EnrichedElsewhere=0 Refreshed=1` or
 * `Days=30 Listed=612 Held=613 Identical=605 Missing=1 Stale=4 Gone=3 ... Deleted=3 Remaining=0`; a failed run adds ` | Error: ...`.
 */
export function countsMessage(counts: RunCounts, error?: string): string {
  const fields = Object.entries(counts)
    .filter(([, value]) => typeof value === 'number')
    .map(([key, value]) => `${key[0].toUpperCase()}${key.slice(1).replace(/Count$/, '')}=${value}`);
  return fields.join(' ') + (error === undefined ? '' : ` | Error: ${error}`);
}
