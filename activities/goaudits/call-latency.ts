import type { ApiCall } from './call-outcome';

/**
 * How GoAudits answers this worker process lately: calls in flight now, and the latency of the
 * recent calls that were answered (p50, p95). Every GoAudits call of the process feeds it (the
 * client tells when a request goes and when it ended), so every batch and window of the process
 * sees the same picture. 429s and timeouts are counted as setbacks: they make the pipeline back off.
 */
export interface LatencySnapshot {
  /** HTTP requests to GoAudits under way in this process now. */
  inFlight: number;
  /** Median and 95th percentile of the recent answered calls, in ms; absent before the first answer. */
  p50Ms?: number;
  p95Ms?: number;
  /** 429s and timeouts over the last SETBACK_MS. */
  setbacks: number;
}

export interface CallLatency {
  /** A request is going out now. */
  sent(): void;
  /** A request ended (as the client reports it to the metrics too). */
  ended(call: Pick<ApiCall, 'outcome' | 'seconds'>): void;
  snapshot(): LatencySnapshot;
}

/** How many answered calls the quantiles look at: a rise shows within 5 % of them, a fall after all. */
const RECENT_CALLS = 200;
/** How long a 429 or a timeout keeps the pipeline backed off. */
export const SETBACK_MS = 30_000;

export function createCallLatency(
  changed: (snapshot: LatencySnapshot) => void = () => undefined,
  clock: () => number = Date.now,
): CallLatency {
  const recent: number[] = [];
  const setbacksAt: number[] = [];
  let inFlight = 0;

  function snapshot(): LatencySnapshot {
    const now = clock();
    while (setbacksAt.length > 0 && now - setbacksAt[0] >= SETBACK_MS) setbacksAt.shift();
    const sorted = [...recent].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length === 0 ? undefined : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
    return { inFlight, p50Ms: at(0.5), p95Ms: at(0.95), setbacks: setbacksAt.length };
  }

  return {
    sent() {
      inFlight++;
      changed(snapshot());
    },
    ended({ outcome, seconds }) {
      inFlight = Math.max(0, inFlight - 1);
      if (outcome === 'ok') {
        recent.push(seconds * 1000);
        if (recent.length > RECENT_CALLS) recent.shift();
      } else if (outcome === 'rate_limited' || outcome === 'timeout') {
        setbacksAt.push(clock());
      }
      changed(snapshot());
    },
    snapshot,
  };
}

/** Calls in flight for one batch when `concurrency` is `auto`: enough for any latency GoAudits should show. */
export const AUTO_MOST_IN_FLIGHT = 32;
/** The latency assumed before the process has seen an answer. */
const FIRST_GUESS_MS = 500;
/** Spare callers over Little's law: latency varies, and a slot also stores what it fetched. */
const HEADROOM = 1.5;

/**
 * How many calls one caller (a batch) keeps in flight so the lane stays busy: Little's law,
 * rate × latency, on the recent p95 with headroom, plus one for the store's part; halved for
 * each recent 429 or timeout; at least 1, at most `ceiling`. Callers beyond what the rate needs
 * only wait in the lane, so erring high costs a little memory, never rate.
 */
export function callsInFlightWanted(args: { ratePerSecond: number; latency: LatencySnapshot; ceiling: number }): number {
  const { ratePerSecond, latency, ceiling } = args;
  const seconds = (latency.p95Ms ?? FIRST_GUESS_MS) / 1000;
  const wanted = Math.ceil(ratePerSecond * seconds * HEADROOM) + 1;
  const backedOff = Math.floor(wanted / 2 ** Math.min(latency.setbacks, 5));
  return Math.max(1, Math.min(ceiling, backedOff));
}
