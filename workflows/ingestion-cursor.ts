import type { RunRef } from '../shared/records';
import type { IngestionCounts } from '../shared/counts';
import type { Controls } from './controls';
import type { EnrichmentCursor } from './enrichment-batches';
import type { RunKind } from './search-attributes';

/** Everything a run carries into its next history when it continues as new. */
export interface IngestionCursor {
  run: RunRef;
  kind: RunKind;
  from: string;
  to: string;
  /** First day of the next window. */
  next: string;
  /** Days earlier runs missed, read again (one-day windows) before the range. */
  retryDays: string[];
  windowDays: number;
  advanceWatermark: boolean;
  /** A `--refresh` backfill: every stored report its windows list is fetched again (absent before 0.3.0). */
  refreshStored?: boolean;
  windowsDone: number;
  windowsTotal: number;
  counts: IngestionCounts;
  /** The enrichment of the reports this run ingested: its row, the reports waiting, its counts. */
  enrichment: EnrichmentCursor;
  controls: Controls;
  /** The run's calls per second when it continued as new: its next history plans by it until it has measured its own (absent before 0.4.0). */
  callsPerSecond?: number;
}
