import type { Store } from '../store/store';
import { GoAuditsError } from './errors';

/**
 * The one lane every GoAudits call of every worker process queues on. Its state lives in the
 * store all workers share, so the rate limit holds across processes: each call reserves its own
 * start, starts are spaced `(1000 + safetyMs) / rate` apart, and a 429 holds the lane for its
 * `Retry-After`, for everyone.
 *
 * Why starts stay under the limit in every second, as GoAudits counts them: a call that wakes
 * more than `safetyMs / 2` after its start gives that start up and takes a new one, so sends lie
 * within `safetyMs / 2` of their starts; the other half of the safety covers the way to GoAudits.
 * Any 1000 ms of arrivals then comes from starts spread over less than `1000 + safetyMs` ms,
 * which hold at most `rate` starts.
 *
 * A 401/403 leaves the refused token's fingerprint in the lane, which every call of every process
 * reads just before it goes: a refused token gets no more calls than those already on their way.
 *
 * A 429 moves the shared lane past its `Retry-After`, so every later reservation, in every
 * process, starts after it; calls of this process that had a start already wait it out too. (A
 * call another process had already given a start within the wait still goes: at most that
 * process's calls in flight.)
 */
export interface CallLaneOptions {
  /** Most calls GoAudits may see in any second (GOAUDITS_RATE_LIMIT_PER_SECOND). */
  ratePerSecond: number;
  /** Slack per second for delays between a reserved start and GoAudits counting the call (GOAUDITS_RATE_SAFETY_MS). */
  safetyMs: number;
}

/** How a caller waits: a sleep its activity can cancel (and heartbeat in). */
export type Sleep = (ms: number) => Promise<void>;

/** When GoAudits sends a 429 without `Retry-After`. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 1000;

/** What every worker knows when a call's turn comes: the fingerprint of the token GoAudits refused, if any. */
export interface LaneState {
  refusedToken: string | null;
}

export interface CallLane {
  /**
   * Runs `call` in its turn, with the lane's state read just then; a 429 holds the lane for
   * everyone, then the call queues again (a 429 is not a failure); a 401/403 records the refused
   * token's fingerprint where every worker checks it before its next call.
   */
  call<T>(call: (state: LaneState) => Promise<T>, sleep: Sleep): Promise<T>;
}

/** What the lane tells of its work, for the metrics (activities/pipeline-metrics.ts) and the tests. */
export interface LaneEvents {
  /** A 429 held the lane for this long. */
  rateLimited?(waitMs: number): void;
  /** A call woke too late for its start and took a new one. */
  lateStart?(): void;
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
  store: Pick<Store, 'reserveApiCall' | 'holdApiCalls' | 'refusedToken' | 'refuseToken'>,
  options: CallLaneOptions,
  events: LaneEvents = {},
  clock: () => number = Date.now,
): CallLane {
  const spacing = spacingMs(options);
  const lateness = options.safetyMs / 2;
  /** The end of the last 429 wait this process learned of. */
  let heldUntilMs = 0;

  async function turn(sleep: Sleep): Promise<void> {
    for (;;) {
      const startAtMs = await store.reserveApiCall({ nowMs: clock(), spacingMs: spacing });
      const wait = startAtMs - clock();
      if (wait > 0) await sleep(wait);
      if (startAtMs < heldUntilMs) {
        if (heldUntilMs > clock()) await sleep(heldUntilMs - clock());
        continue;
      }
      if (clock() - startAtMs <= lateness) return;
      events.lateStart?.();
    }
  }

  return {
    async call(call, sleep) {
      for (;;) {
        const queuedAtMs = clock();
        await turn(sleep);
        events.waited?.(clock() - queuedAtMs);
        try {
          const answer = await call({ refusedToken: await store.refusedToken() });
          events.tokenRefused?.(false);
          return answer;
        } catch (error) {
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
