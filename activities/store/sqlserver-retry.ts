/**
 * When the SQL Server store runs a unit of work again: after a deadlock or one of Azure SQL's
 * transient errors (a reconfiguration or failover, throttling, a dropped connection, a timeout),
 * the whole unit (one transaction, or one statement) is repeated after a backoff, for as long as
 * the retry budget lasts: past a reconfiguration, which takes 10 to 60 s. Any other error is real
 * and fails at once; Temporal's activity retries take over from there.
 *
 * The errors are recognised by the shapes mssql (over tedious) really gives them:
 * - a server error during a request: mssql `RequestError` (code `EREQUEST`) with its `number`;
 * - a login refused while the database moves: tedious `ConnectionError` code `ELOGIN` with the
 *   server's message and no number (tedious retries 40613, 40501, 40197, 4060, 10928, 10929
 *   three times itself, 500 ms apart, then gives up), wrapped by mssql's `ConnectionError`;
 * - a connect timeout: `ConnectionError` code `ETIMEOUT`; a request timeout: `RequestError` code
 *   `ETIMEOUT` (XACT_ABORT rolls the transaction back);
 * - a socket lost: `ConnectionError` code `ESOCKET`, reported to a running request as an mssql
 *   `RequestError` (code `EREQUEST`, no number) whose `originalError.info` is that error; a
 *   closed connection: `ECONNCLOSED`;
 * - no connection free in the pool in time: tarn's `TimeoutError` ("Failed to acquire a
 *   connection from the pool: ..."), with no code.
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

/**
 * The server's messages for the transient errors a login can be refused with, which tedious
 * passes on as text only (ConnectionError ELOGIN). Matched besides the numbers themselves,
 * which some of these messages carry ("Code: 40501").
 */
export const TRANSIENT_LOGIN_MESSAGES: readonly RegExp[] = [
  /is not currently available/i, // 40613
  /service has encountered an error processing your request/i, // 40197, 40540, 40143
  /service is currently busy/i, // 40501
  /cannot open database .* requested by the login/i, // 4060
  /not enough resources to process request/i, // 49918
  /too many (create or update )?operations in progress/i, // 49919, 49920
  /limit for the database is \d+ and has been reached/i, // 10928
  /server is currently too busy/i, // 10929
  /login to read-secondary failed/i, // 4221
];

/** tedious's and mssql's codes for a connection lost, closed or timed out, which carry no error number. */
export const TRANSIENT_DRIVER_CODES: ReadonlySet<string> = new Set(['ESOCKET', 'ECONNCLOSED', 'ETIMEOUT']);

export interface RetryPolicy {
  /** How long after the first try the work may still be tried again. */
  budgetMs: number;
  /** Longest wait before the first retry; it doubles per retry up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
}

/** Outlasts a reconfiguration (10 to 60 s) with room to spare. */
export const SQLSERVER_RETRY_BUDGET_MS = 90_000;

export const SQLSERVER_RETRY_POLICY: RetryPolicy = { budgetMs: SQLSERVER_RETRY_BUDGET_MS, initialDelayMs: 500, maxDelayMs: 10_000 };

type Fields = Record<string, unknown>;

/** The error and those it wraps (mssql's originalError and precedingErrors, a cause, mssql's info, an AggregateError's errors). */
function* errorChain(error: unknown, depth = 0): Generator<Fields> {
  if (typeof error !== 'object' || error === null || depth > 6) return;
  const fields = error as Fields;
  yield fields;
  for (const wrapped of [fields.originalError, fields.cause, fields.info]) yield* errorChain(wrapped, depth + 1);
  for (const list of [fields.precedingErrors, fields.errors]) {
    if (Array.isArray(list)) for (const inner of list) yield* errorChain(inner, depth + 1);
  }
}

/** A login refused for one of the transient reasons, known by its message or a transient number in it. */
function isTransientLoginRefusal(message: string): boolean {
  if (TRANSIENT_LOGIN_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // Four or five digits: never an IP address's part, which a refusal by the firewall (40615) names.
  return [...message.matchAll(/\b\d{4,5}\b/g)].some(([number]) => TRANSIENT_ERROR_NUMBERS.has(Number(number)));
}

/** tarn's TimeoutError as mssql passes it on: no connection of the pool came free (or could be made) in time. */
const isPoolTimeout = ({ constructor: made, message }: Fields) =>
  typeof made === 'function' && made.name === 'TimeoutError' && typeof message === 'string' && message.startsWith('Failed to acquire');

/** True when the error, or one it wraps, is a deadlock, a transient Azure SQL error or a lost, closed or timed-out connection. */
export function isTransientSqlServerError(error: unknown): boolean {
  for (const fields of errorChain(error)) {
    const { number, code, message } = fields;
    if (typeof number === 'number' && TRANSIENT_ERROR_NUMBERS.has(number)) return true;
    if (typeof code === 'string' && TRANSIENT_DRIVER_CODES.has(code)) return true;
    if (code === 'ELOGIN' && typeof message === 'string' && isTransientLoginRefusal(message)) return true;
    if (isPoolTimeout(fields)) return true;
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
  /** The clock the budget is measured on (epoch milliseconds). */
  now?: () => number;
  /** Which errors are worth another try; isTransientSqlServerError by default. */
  isTransient?: (error: unknown) => boolean;
}

const sleepMs = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work`, again after each transient failure, until it succeeds or the next try would
 * start later than policy.budgetMs after the first; then the last error is thrown.
 */
export async function withSqlServerRetry<T>(
  work: () => Promise<T>,
  {
    policy = SQLSERVER_RETRY_POLICY,
    sleep = sleepMs,
    random = Math.random,
    now = Date.now,
    isTransient = isTransientSqlServerError,
  }: RetryOptions = {},
): Promise<T> {
  const started = now();
  for (let retry = 1; ; retry++) {
    try {
      return await work();
    } catch (error) {
      const delay = retryDelayMs(policy, retry, random);
      if (!isTransient(error) || now() + delay - started > policy.budgetMs) throw error;
      await sleep(delay);
    }
  }
}
