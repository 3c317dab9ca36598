import { planWindows, type Window } from '../shared/plan';
import type { IngestionCursor } from './ingestion-cursor';
import { MOST_WINDOWS_AHEAD } from '../shared/concurrency';

/**
 * Summary windows read ahead: several in flight at once, each saved in its own transaction, with
 * the watermark moved only over a prefix of windows that are all saved. Pure planning.
 */

/** A window read ahead: in flight until saved, then the newest Updated_On it stored (capped at the time it was read). */
export interface WindowAhead {
  window: Window;
  saved: boolean;
  newestUtc: string | null;
}

/**
 * How many windows a run reads ahead before any window told it what the latency asks for: the
 * most, since nothing is known yet and a window too many only waits in the lane.
 */
export const FIRST_WINDOWS_AHEAD = MOST_WINDOWS_AHEAD;
/** The fewest windows a run reads ahead: the next one is in flight while one is saved. */
export const LEAST_WINDOWS_AHEAD = 2;

/** The first `count` windows still to start after the cursor: the days earlier runs missed, then the range's windows. */
export function windowsLeft(cursor: Pick<IngestionCursor, 'retryDays' | 'next' | 'to' | 'windowDays'>, count: number): Window[] {
  const retries = cursor.retryDays.slice(0, count).map((day) => ({ startDate: day, endDate: day }));
  if (retries.length >= count || cursor.next > cursor.to) return retries;
  return [...retries, ...planWindows({ from: cursor.next, to: cursor.to, windowDays: cursor.windowDays }).slice(0, count - retries.length)];
}

/**
 * The windows at the head of the read-ahead that are all saved: how many leave it, and the
 * newest Updated_On among them, where the watermark may move. A window still in flight holds
 * back every window after it, however many are saved, so the watermark never passes it.
 */
export function savedPrefix(ahead: readonly WindowAhead[]): { count: number; newestUtc: string | null } {
  let count = 0;
  let newestUtc: string | null = null;
  while (count < ahead.length && ahead[count].saved) newestUtc = laterUtc(newestUtc, ahead[count++].newestUtc);
  return { count, newestUtc };
}

/** The later of two instants (ISO `Z`, same form), null counting as none. */
export function laterUtc(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
