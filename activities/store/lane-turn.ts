import { LONG_RUN_PRIORITY } from '../../shared/lane-caller';
import type { LaneTurn, LaneTurnRequest } from './store';

/** The lane's row as a turn reads it (epoch milliseconds). */
export interface LaneRow {
  nextCallAtMs: number;
  heldUntilMs: number;
  longRunNextAtMs: number;
  othersActiveUntilMs: number;
  refusedToken: string | null;
}

/** A registered, unexpired waiter. */
export interface LaneWaiter {
  waiterId: string;
  priority: number;
  queuedAtMs: number;
}

/** What a granted turn writes back to the lane's row. */
export type LaneMove = Pick<LaneRow, 'nextCallAtMs' | 'longRunNextAtMs' | 'othersActiveUntilMs'>;

/**
 * The rule of one turn (see LaneTurnRequest), over the lane's row, the other unexpired waiters,
 * the caller's own queue time and its run's calls of the day. The SQLite store applies it as
 * is; SQL Server's TAKE_LANE_TURN states the same rule in T-SQL.
 */
export function decideLaneTurn(
  lane: LaneRow,
  others: readonly LaneWaiter[],
  self: { queuedAtMs: number; callsToday: number },
  request: LaneTurnRequest,
): { turn: LaneTurn; move?: LaneMove } {
  const { nowMs, priority, waiterId, maxCallsPerDay, dayMs } = request;
  if (maxCallsPerDay !== undefined && self.callsToday >= maxCallsPerDay) {
    const resetAtMs = (Math.floor(nowMs / dayMs) + 1) * dayMs;
    return { turn: { kind: 'budget-spent', callsToday: self.callsToday, resetAtMs } };
  }
  const before = (w: LaneWaiter) =>
    w.priority < priority ||
    (w.priority === priority && (w.queuedAtMs < self.queuedAtMs || (w.queuedAtMs === self.queuedAtMs && w.waiterId < waiterId)));
  const better = others.filter((w) => w.priority < priority).length;
  const ahead = others.filter(before).length;
  const longRun = priority >= LONG_RUN_PRIORITY;
  const othersActive = lane.othersActiveUntilMs > nowMs;
  const nextStartAtMs = longRun && othersActive ? Math.max(lane.nextCallAtMs, lane.longRunNextAtMs) : lane.nextCallAtMs;
  if (better > 0 || nextStartAtMs > nowMs + request.aheadMs) {
    return { turn: { kind: 'wait', nextStartAtMs, ahead, heldUntilMs: lane.heldUntilMs } };
  }
  const startAtMs = Math.max(nowMs, nextStartAtMs);
  const callsToday = maxCallsPerDay === undefined ? self.callsToday : self.callsToday + 1;
  return {
    turn: { kind: 'granted', startAtMs, refusedToken: lane.refusedToken, callsToday },
    move: {
      nextCallAtMs: startAtMs + request.spacingMs,
      longRunNextAtMs: longRun ? startAtMs + request.longRunSpacingMs : lane.longRunNextAtMs,
      othersActiveUntilMs: longRun ? lane.othersActiveUntilMs : startAtMs + request.othersActiveMs,
    },
  };
}
