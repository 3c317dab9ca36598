import type { RunRef } from '../shared/records';
import type { ReconcileCounts } from '../shared/counts';
import type { ClassCounts, ClassIds, DetailsLevel } from '../shared/reconcile';
import type { EnrichmentCursor } from './enrichment-batches';
import type { Controls } from './controls';

/** One day of a reconcile's result: what GoAudits lists, what is stored, and the differences found. */
export interface ReconciledDay extends ClassCounts {
  day: string;
  listed: number;
  held: number;
  identical: number;
  suspect: boolean;
}

/** A stored report its day did not list: `gone`, unless a later day lists it. */
export interface UnlistedReport {
  reportId: string;
  day: string;
}

/** What a reconcile carries into its next history when it continues as new: ids of a few reports, counts and days. */
export interface ReconcileCursor {
  run: RunRef;
  from: string;
  to: string;
  /** Later days, up to this one, are read for the reports their day did not list. */
  today: string;
  details: DetailsLevel;
  repair: boolean;
  deleteGone: boolean;
  /** The next day to check. */
  next: string;
  daysTotal: number;
  days: ReconciledDay[];
  /** The first pass's differences, their first ids, and the first differing question keys. */
  found: ClassCounts;
  firstIds: ClassIds;
  differingKeys: Record<string, string[]>;
  unlisted: UnlistedReport[];
  /** Reports listed on a day other than their stored one (an edit moved them): not gone. */
  listedElsewhere: string[];
  counts: ReconcileCounts;
  detailsBusy: number;
  enrichment: EnrichmentCursor;
  controls: Controls;
}
