/**
 * `GOAUDITS_ENRICH_CONCURRENCY` and `tune --concurrency`: a ceiling on the details calls a run
 * keeps in flight, or `auto` (the default): as many as the call lane's rate times the latency
 * seen needs. Under it a run keeps up to two batches going (so one batch's last reports, and its
 * claim and release, never leave the lane idle), each keeping several reports in flight.
 */
export type Concurrency = number | 'auto';

/** Batches a run keeps going at once when each has several reports in flight. */
export const BATCHES_AT_ONCE = 2;

/** Most summary windows a run reads ahead (each in flight, saved in its own transaction). */
export const MOST_WINDOWS_AHEAD = 8;

/**
 * How many batches a run keeps going: BATCHES_AT_ONCE (fewer for a smaller ceiling) when batches
 * keep several reports in flight; otherwise, as runs of earlier versions did, `concurrency`
 * batches of one report at a time (`auto` as BATCHES_AT_ONCE).
 */
export function batchSlots(concurrency: Concurrency, inParallel: boolean): number {
  if (concurrency === 'auto') return BATCHES_AT_ONCE;
  return inParallel ? Math.min(concurrency, BATCHES_AT_ONCE) : concurrency;
}

/** The ceiling of reports in flight of the batch in `slot` (0-based): a numeric ceiling is split over the slots, the first taking the rest. */
export function slotCeiling(concurrency: Concurrency, slot: number): number | 'auto' {
  if (concurrency === 'auto') return 'auto';
  const slots = batchSlots(concurrency, true);
  return Math.floor(concurrency / slots) + (slot < concurrency % slots ? 1 : 0);
}
