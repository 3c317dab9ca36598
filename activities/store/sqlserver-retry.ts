/**
 * When the SQL Server store runs a unit of work again: after a deadlock or one of Azure SQL's
 * transient errors (failover, throttling, a dropped connection), recognised by error number,
 * the whole unit (one transaction, or one statement) is repeated after a backoff. Any other
 * error is real and fails at once; Temporal's activity retries take over from there.
 */

/** SQL Server error numbers after which the same work, started again, can succeed. */
export const TRANSIENT_ERROR_NUMBERS: ReadonlySet<number> = new Set([
  1205, // chosen as deadlock victim
  4060, // cannot open the database (moving during failover)
  4221, // login to a read replica failed: replica not yet available
  10053, // connection aborted by the host
  10054, // connection reset by the peer
  10060, // connection attempt timed out
  10928, // resource limit reached (throttled)
  10929, // server too busy (throttled)
  40143, // connection could not be initialised
  40197, // error processing the request (reconfiguration, failover)
  40501, // service busy
  40540, // service error processing the request
  40613, // database not currently available
  49918, // not enough resources to process the request
  49919, // too many create or update operations in progress
  49920, // too many operations in progress
  233, // connection closed by the server
  64, // network name no longer available
]);

/** tedious's codes for a dropped connection, which it reports without an error number. */
export const TRANSIENT_DRIVER_CODES: ReadonlySet<string> = new Set(['ESOCKET', 'ECONNCLOSED']);

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Longest wait before the first retry; it doubles per retry up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const SQLSERVER_RETRY_POLICY: RetryPolicy = { attempts: 5, initialDelayMs: 200, maxDelayMs: 5_000 };

/** The error and those it wraps (mssql's originalError and precedingErrors, a cause). */
function* errorChain(error: unknown, depth = 0): Generator<Record<string, unknown>> {
  if (typeof error !== 'object' || error === null || depth > 5) return;
  const fields = error as Record<string, unknown>;
  yield fields;
  yield* errorChain(fields.originalError, depth + 1);
  yield* errorChain(fields.cause, depth + 1);
  if (Array.isArray(fields.precedingErrors)) {
    for (const preceding of fields.precedingErrors) yield* errorChain(preceding, depth + 1);
  }
}

/** True when the error, or one it wraps, is a deadlock or a transient Azure SQL error. */
export function isTransientSqlServerError(error: unknown): boolean {
  for (const { number, code } of errorChain(error)) {
    if (typeof number === 'number' && TRANSIENT_ERROR_NUMBERS.has(number)) return true;
    if (typeof code === 'string' && TRANSIENT_DRIVER_CODES.has(code)) return true;
  }
  return false;
}

/** The wait before retry `retry` (1-based): half the exponential step fixed, half random. */
export function retryDelayMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (retry - 1));
  return Math.round(step / 2 + (random() * step) / 2);
}

export interface RetryOptions {
  policy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work`, again after each transient failure, at most policy.attempts times. */
export async function withSqlServerRetry<T>(
  work: () => Promise<T>,
  { policy = SQLSERVER_RETRY_POLICY, sleep = sleepMs, random = Math.random }: RetryOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= policy.attempts || !isTransientSqlServerError(error)) throw error;
      await sleep(retryDelayMs(policy, attempt, random));
    }
  }
}
