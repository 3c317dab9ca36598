/**
 * What went wrong, in the terms a caller decides on:
 * - `auth`: the token is bad, expired or unavailable; retrying with it is pointless.
 * - `rate-limit`: GoAudits said 429; wait `retryAfterMs` when given.
 * - `transient`: 5xx, 408, connection failure or timeout; a later retry may succeed.
 * - `bad-response`: GoAudits answered something we cannot use (other 4xx, invalid JSON, wrong shape).
 * - `token-unavailable`: no token could be had (a Key Vault or identity outage, an unset variable);
 *   nothing was called, and a later try may get one: never a halt.
 */
export type GoAuditsErrorKind = 'auth' | 'rate-limit' | 'transient' | 'bad-response' | 'token-unavailable';

/** The GoAudits call that failed. */
export type GoAuditsEndpoint = 'summary' | 'details';

/** A failed GoAudits call. Messages never include the bearer token or response bodies. */
export class GoAuditsError extends Error {
  override readonly name = 'GoAuditsError';
  readonly kind: GoAuditsErrorKind;
  readonly endpoint: GoAuditsEndpoint;
  /** The HTTP status, when GoAudits answered. */
  readonly status?: number;
  /** How long GoAudits asked us to wait (`Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number;
  /** For `auth`: the fingerprint of the token GoAudits refused (see tokenFingerprint), never the token. */
  readonly tokenFingerprint?: string;

  constructor(args: {
    kind: GoAuditsErrorKind;
    endpoint: GoAuditsEndpoint;
    message: string;
    status?: number;
    retryAfterMs?: number;
    tokenFingerprint?: string;
    cause?: unknown;
  }) {
    super(`GoAudits ${args.endpoint}: ${args.message}`, args.cause === undefined ? undefined : { cause: args.cause });
    this.kind = args.kind;
    this.endpoint = args.endpoint;
    this.status = args.status;
    this.retryAfterMs = args.retryAfterMs;
    this.tokenFingerprint = args.tokenFingerprint;
  }
}

/** Classifies a non-2xx HTTP status: 401/403 auth, 429 rate-limit, 408/5xx transient, anything else bad-response. */
function kindOfStatus(status: number): GoAuditsErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate-limit';
  if (status === 408 || (status >= 500 && status <= 599)) return 'transient';
  return 'bad-response';
}

/**
 * The error for a non-2xx answer. `Retry-After` is read on retryable kinds (429, and 5xx such as 503).
 */
export function errorForStatus(
  endpoint: GoAuditsEndpoint,
  status: number,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  tokenFingerprint?: string,
  nowMs: number = Date.now(),
): GoAuditsError {
  const kind = kindOfStatus(status);
  const retryAfterMs = kind === 'rate-limit' || kind === 'transient' ? parseRetryAfter(headers['retry-after'], nowMs) : undefined;
  const wait = retryAfterMs === undefined ? '' : `, retry after ${retryAfterMs} ms`;
  return new GoAuditsError({
    kind,
    endpoint,
    status,
    retryAfterMs,
    tokenFingerprint: kind === 'auth' ? tokenFingerprint : undefined,
    message: `HTTP ${status} (${kind}${wait})`,
  });
}

/**
 * `Retry-After` in milliseconds: delta-seconds or an HTTP-date (a past date gives 0).
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP-dates name a month; this keeps Date.parse's leniency ("1.5", "-3") out.
  const at = /[a-z]/i.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
