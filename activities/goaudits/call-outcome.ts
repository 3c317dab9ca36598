import { GoAuditsError, type GoAuditsEndpoint, type GoAuditsErrorKind } from './errors';

/**
 * How one HTTP request to GoAudits ended, as the metrics count it:
 * - `ok`: a 2xx answer that parsed as JSON;
 * - `rate_limited`: 429; `auth`: 401/403;
 * - `timeout`: no answer in time, ours (GOAUDITS_HTTP_TIMEOUT_MS) or a gateway's (408, 504);
 * - `transient`: any other 5xx, or the connection failed;
 * - `bad_response`: another 4xx, a body that is not JSON, or one above GOAUDITS_MAX_RESPONSE_MB;
 * - `cancelled`: the activity was cancelled while the request was under way.
 */
export const API_CALL_OUTCOMES = ['ok', 'rate_limited', 'auth', 'timeout', 'transient', 'bad_response', 'cancelled'] as const;

export type ApiCallOutcome = (typeof API_CALL_OUTCOMES)[number];

/** One HTTP request sent to GoAudits, once it has ended. */
export interface ApiCall {
  endpoint: GoAuditsEndpoint;
  outcome: ApiCallOutcome;
  /** From just before the request went out until its answer was read (or it failed). */
  seconds: number;
}

const OUTCOME_OF_KIND: Record<GoAuditsErrorKind, ApiCallOutcome> = {
  'rate-limit': 'rate_limited',
  auth: 'auth',
  transient: 'transient',
  'bad-response': 'bad_response',
  // No request is sent without a token; should one fail so, it counts with the transient ones it is retried like.
  'token-unavailable': 'transient',
};

/** undici's codes for an answer whose headers, or the rest of whose body, did not come in time. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** How a request that failed with `error` ended; `aborted`: its activity was cancelled meanwhile. */
export function apiCallOutcome(error: unknown, aborted: boolean): ApiCallOutcome {
  if (aborted) return 'cancelled';
  if (!(error instanceof GoAuditsError)) return 'transient';
  if (error.status === 408 || error.status === 504) return 'timeout';
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return 'timeout';
  return OUTCOME_OF_KIND[error.kind];
}
