import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store';
import { LONG_RUN_PRIORITY, type LaneCaller } from '../../shared/lane-caller';
import { GoAuditsError } from './errors';
import { LaneWait } from './lane-wait';
import { LateForStart } from './late-start';

/**
 * The one lane every GoAudits call of every worker process queues on. Its state lives in the
 * store all workers share, so the rate limit holds across processes: starts are spaced
 * `(1000 + safetyMs) / rate` apart, and a 429 holds the lane for its `Retry-After`, for everyone.
 *
 * Priorities (see LaneTurnRequest in store.ts): a call is granted its start only when no waiter
 * of a better priority (hourly 1, sweeps 2, long runs 3) is registered in the store, and only
 * AHEAD_MS before that start, so no start is held far ahead: an hourly call that comes while a
 * backfill calls waits about one spacing at most. A call not granted registers as a waiter and
 * asks again when its turn can come (after the waiters before it); a waiter whose process died
 * stops counting after WAITER_TTL_MS. While a higher-priority call went within OTHERS_ACTIVE_MS,
 * long runs together take at most `longRunShare` of the starts, so the others' next calls find room.
 *
 * Budgets: a caller with `maxCallsPerDay` is counted with each start granted, in the same step;
 * at its budget the lane sends its run away until the next budget day (LaneWait 'budget').
 *
 * Why starts stay under the limit in every second, as GoAudits counts them: a call that wakes
 * more than `safetyMs / 2` after its start gives that start up and takes a new one, so sends lie
 * within `safetyMs / 2` of their starts; the other half of the safety covers the way to GoAudits.
 * The client checks it again just before the request goes (`sendBy`), so a process that stalls
 * between its turn and the request (a long synchronous write, a busy CPU) does not send late.
 * Any 1000 ms of arrivals then comes from starts spread over less than `1000 + safetyMs` ms,
 * which hold at most `rate` starts. (Priorities and shares only choose who gets a start, and
 * delay long-run starts; they never bring two starts closer than the spacing.)
 *
 * A 401/403 leaves the refused token's fingerprint in the lane; every call reads it with its
 * start, at most AHEAD_MS before it goes: a refused token gets no more calls than those already
 * on their way.
 *
 * A 429 moves the shared lane past its `Retry-After`, so every later start, in every process,
 * comes after it; calls of this process that had a start already wait it out too. A hold of
 * QUOTA_WAIT_MS or more (a spent quota) sends the caller's run away until it ends (LaneWait
 * 'quota'), so the run shows the wait and no activity spends its time or tries on it.
 */
export interface CallLaneOptions {
  /** Most calls GoAudits may see in any second (GOAUDITS_RATE_LIMIT_PER_SECOND). */
  ratePerSecond: number;
  /** Slack per second for delays between a reserved start and GoAudits counting the call (GOAUDITS_RATE_SAFETY_MS). */
  safetyMs: number;
  /** Most of the lane long runs take while other runs are active (GOAUDITS_BACKFILL_MAX_SHARE, 0 < share <= 1); unset: 1. */
  longRunShare?: number;
  /** The length of a budget day (a UTC day unless a test shortens it). */
  dayMs?: number;
}

/** How a caller waits: a sleep its activity can cancel (and heartbeat in). */
export type Sleep = (ms: number) => Promise<void>;

/** When GoAudits sends a 429 without `Retry-After`. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 1000;
/**
 * A 429 hold with this long or longer still to run is a quota (GoAudits' per-second limit asks
 * for a second or two): the caller's run waits it out and shows it (LaneWait).
 */
export const QUOTA_WAIT_MS = 3000;
/** How far ahead of its start a caller is granted it: a round trip to the store, with margin. */
const AHEAD_MS = 20;
/** How long after a higher-priority call the long runs keep to their share. */
const OTHERS_ACTIVE_MS = 2000;
/** A waiter asks again at least this often, and is forgotten when it has not for WAITER_TTL_MS (its process died). */
const MAX_POLL_MS = 1000;
const MIN_POLL_MS = 1;
const WAITER_TTL_MS = 3 * MAX_POLL_MS;
const DAY_MS = 86_400_000;

/** What every worker knows when a call's turn comes: the fingerprint of the token GoAudits refused, if any. */
export interface LaneState {
  refusedToken: string | null;
  /** The latest moment (epoch ms) the call may go: its start plus half the safety (the lane always gives it). */
  sendBy?: number;
}

export interface CallLane {
  /**
   * Runs `call` in its turn, with the lane's state read just then; a 429 holds the lane for
   * everyone, then the call queues again (a 429 is not a failure); a 401/403 records the refused
   * token's fingerprint where every worker checks it before its next call.
   */
  call<T>(call: (state: LaneState) => Promise<T>, sleep: Sleep, caller?: LaneCaller): Promise<T>;
}

/** What the lane tells of its work, for the metrics (activities/pipeline-metrics.ts) and the tests. */
export interface LaneEvents {
  /** A 429 held the lane for this long. */
  rateLimited?(waitMs: number): void;
  /** A call woke too late for its start and took a new one. */
  lateStart?(): void;
  /** GoAudits asked everyone to wait until then (a 429 long enough to be a quota): the run waits it out. */
  quotaWait?(untilMs: number): void;
  /** A call waited this long for its turn, 429 holds included, before it went. */
  waited?(ms: number): void;
  /** GoAudits refused the token (true: the lane now holds its fingerprint), or a call went through (false). */
  tokenRefused?(refused: boolean): void;
}

export function spacingMs({ ratePerSecond, safetyMs }: CallLaneOptions): number {
  return (1000 + safetyMs) / ratePerSecond;
}

/** The calls per second the lane sustains: the limit less the safety. */
export function sustainedCallsPerSecond(options: CallLaneOptions): number {
  return 1000 / spacingMs(options);
}

export function createCallLane(
  store: Pick<Store, 'takeLaneTurn' | 'leaveLane' | 'holdApiCalls' | 'refuseToken'>,
  options: CallLaneOptions,
  events: LaneEvents = {},
  clock: () => number = Date.now,
): CallLane {
  const spacing = spacingMs(options);
  const lateness = options.safetyMs / 2;
  const rules = {
    spacingMs: spacing,
    aheadMs: AHEAD_MS,
    longRunSpacingMs: spacing / (options.longRunShare ?? 1),
    othersActiveMs: OTHERS_ACTIVE_MS,
    dayMs: options.dayMs ?? DAY_MS,
    waiterTtlMs: WAITER_TTL_MS,
  };
  /** The end of the last 429 wait this process learned of. */
  let heldUntilMs = 0;

  /** A hold this long is a quota: the run is sent away to wait and show it, instead of waiting inside its call. */
  function quotaWait(untilMs: number): void {
    if (untilMs - clock() < QUOTA_WAIT_MS) return;
    events.quotaWait?.(untilMs);
    throw new LaneWait({ reason: 'quota', untilMs });
  }

  /** Waits for the caller's start; returns the lane's state as it was granted. */
  async function turn(sleep: Sleep, caller: LaneCaller): Promise<LaneState> {
    const waiterId = randomUUID();
    let waiting = false;
    try {
      for (;;) {
        const nowMs = clock();
        const granted = await store.takeLaneTurn({ ...rules, ...caller, waiterId, nowMs });
        waiting = granted.kind === 'wait';
        if (granted.kind === 'budget-spent') {
          const { callsToday, resetAtMs } = granted;
          throw new LaneWait({ reason: 'budget', untilMs: resetAtMs, callsToday, maxCallsPerDay: caller.maxCallsPerDay });
        }
        if (granted.kind === 'wait') {
          quotaWait(Math.max(granted.heldUntilMs, heldUntilMs));
          // Ask again just before this caller's start could come: after the waiters before it, at most a poll later.
          const askAt = granted.nextStartAtMs + granted.ahead * spacing - AHEAD_MS;
          await sleep(Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, askAt - nowMs)));
          continue;
        }
        // Never before the start (a timer may fire a little early).
        for (let wait = granted.startAtMs - clock(); wait > 0; wait = granted.startAtMs - clock()) await sleep(wait);
        if (granted.startAtMs < heldUntilMs) {
          quotaWait(heldUntilMs);
          if (heldUntilMs > clock()) await sleep(heldUntilMs - clock());
          continue;
        }
        if (clock() - granted.startAtMs <= lateness) return { refusedToken: granted.refusedToken, sendBy: granted.startAtMs + lateness };
        events.lateStart?.();
      }
    } finally {
      if (waiting) await store.leaveLane(waiterId);
    }
  }

  return {
    async call(call, sleep, caller = { priority: LONG_RUN_PRIORITY }) {
      for (;;) {
        const queuedAtMs = clock();
        const state = await turn(sleep, caller);
        events.waited?.(clock() - queuedAtMs);
        try {
          const answer = await call(state);
          events.tokenRefused?.(false);
          return answer;
        } catch (error) {
          if (error instanceof LateForStart) {
            events.lateStart?.();
            continue;
          }
          if (error instanceof GoAuditsError && error.kind === 'auth' && error.tokenFingerprint) {
            await store.refuseToken(error.tokenFingerprint);
            events.tokenRefused?.(true);
          }
          if (!(error instanceof GoAuditsError) || error.kind !== 'rate-limit') throw error;
          const waitMs = error.retryAfterMs ?? DEFAULT_RATE_LIMIT_WAIT_MS;
          events.rateLimited?.(waitMs);
          heldUntilMs = Math.max(heldUntilMs, clock() + waitMs);
          await store.holdApiCalls(heldUntilMs);
        }
      }
    },
  };
}
