/** The kinds of injected failure (see faults.ts). */
export type FaultKind = 'serverError' | 'hang' | 'malformed';

/** What the simulator saw, for tests to assert on the pipeline's behaviour. */
export interface Counters {
  /** API requests received (control endpoints and unknown paths excluded). */
  requests: number;
  /** Real answers sent: 200 with a well-formed body. */
  served: number;
  /** `served`, by endpoint. */
  byEndpoint: { summary: number; details: number };
  /** 429s sent. */
  rateLimited: number;
  /**
   * API requests that arrived while a 429's `Retry-After` was still running, more than
   * RETRY_AFTER_GRACE_MS after that 429 was sent (requests already on their way are not counted).
   * A 429 sent during a running wait does not start a new one.
   */
  callsDuringRetryAfter: number;
  /** 429s sent for the quota (`quotaSeconds`); also in `rateLimited`. */
  quotaRefused: number;
  /** API requests that arrived during the quota, more than RETRY_AFTER_GRACE_MS after its first 429 was sent. */
  callsDuringQuota: number;
  /** 401s and 403s sent. */
  authFailures: number;
  /** Injected failures: 5xx, timeouts (504 after a hang) and malformed bodies, targeted ones included. */
  faults: number;
  /** `faults` by kind: 500/502/503, hangs answered 504, 200s with a cut-off body. */
  faultsByKind: Record<FaultKind, number>;
  /** Most API requests in flight at once. */
  peakConcurrency: number;
  /** API requests received and not answered yet, by endpoint, now (a test kills a worker while one is under way). */
  inFlight: { summary: number; details: number };
  /** Most calls admitted past auth and the rate limiter within any 1000 ms window. */
  peakCallsPerSecond: number;
  /** When the last API request arrived (epoch ms), or null before any. */
  lastRequestAtMs: number | null;
  /** API requests received after the revoked token was first refused, until the next `setToken`. */
  requestsAfterRevocation: number;
  /** Admitted details calls per audit id, failed ones included. */
  detailsCallsById: Record<string, number>;
  /**
   * Admitted details calls per audit id that arrived while another admitted details call for the
   * same id was still unanswered (absent when none did): two callers asking for one report at
   * once. A call a client gave up on (a hang) stays unanswered until the simulator answers it.
   */
  detailsOverlapsById: Record<string, number>;
}

export function emptyCounters(): Counters {
  return {
    requests: 0,
    served: 0,
    byEndpoint: { summary: 0, details: 0 },
    rateLimited: 0,
    callsDuringRetryAfter: 0,
    quotaRefused: 0,
    callsDuringQuota: 0,
    authFailures: 0,
    faults: 0,
    faultsByKind: { serverError: 0, hang: 0, malformed: 0 },
    peakConcurrency: 0,
    inFlight: { summary: 0, details: 0 },
    peakCallsPerSecond: 0,
    lastRequestAtMs: null,
    requestsAfterRevocation: 0,
    detailsCallsById: {},
    detailsOverlapsById: {},
  };
}
