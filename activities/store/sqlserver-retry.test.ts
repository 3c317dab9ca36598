import { ConnectionError, RequestError, TransactionError } from 'mssql';
import { TimeoutError } from 'tarn';
import { ConnectionError as TediousConnectionError, RequestError as TediousRequestError } from 'tedious';
import { isTransientSqlServerError, retryDelayMs, withSqlServerRetry, type RetryPolicy } from './sqlserver-retry';

/*
 * Each error below is built the way mssql 12 over tedious 19 builds it (read in their sources):
 * tedious raises, mssql wraps, and the store sees mssql's error.
 */

/** A login the server refuses: tedious's ConnectionError ELOGIN holds only the server's message; mssql's pool wraps it. */
const loginRefused = (message: string) => new ConnectionError(new TediousConnectionError(message, 'ELOGIN'));

/** A server error during a request: tedious's token as `info` on an Error, which mssql wraps as RequestError EREQUEST. */
const serverError = (number: number, message = `server error ${number}`) =>
  new RequestError(Object.assign(new Error(message), { info: { number, message, state: 1, class: 16 } }), 'EREQUEST');

/** The socket lost during a request: tedious emits ConnectionError ESOCKET, which mssql's request handler wraps as `info`. */
const socketLost = () => {
  const lost = new TediousConnectionError('Connection lost - read ECONNRESET', 'ESOCKET', {
    cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
  });
  return new RequestError(Object.assign(new Error(lost.message), { info: lost }), 'EREQUEST');
};

/** No pooled connection came free in time: tarn's TimeoutError, whose message mssql prefixes. */
const poolTimeout = () => {
  const timeout = new TimeoutError('operation timed out for an unknown reason');
  timeout.message = `Failed to acquire a connection from the pool: ${timeout.message}`;
  return timeout;
};

/** Azure SQL's messages for the logins it refuses during a reconfiguration, by number. */
const RECONFIGURATION_REFUSALS: [number, string][] = [
  [
    40613,
    "Database 'goaudits' on server 'sql-goaudits' is not currently available.  Please retry the connection later.  If the problem persists, contact customer support, and provide them the session tracing ID of '{5C0A4C4E-0F3B-4B5F-9A4B-2B2A58D0F1E0}'.",
  ],
  [40197, 'The service has encountered an error processing your request. Please try again. Error code 4815.'],
  [40501, 'The service is currently busy. Retry the request after 10 seconds. Incident ID: {8D0A}. Code: 40501.'],
  [4060, 'Cannot open database "goaudits" requested by the login. The login failed.'],
  [49918, 'Cannot process request. Not enough resources to process request. The service is currently busy.Please retry the request later.'],
];

/** A simulated clock: sleeping moves it, nothing waits. */
function simulatedClock() {
  const clock = { ms: 0, waits: [] as number[] };
  return {
    clock,
    now: () => clock.ms,
    sleep: async (ms: number) => {
      clock.waits.push(ms);
      clock.ms += ms;
    },
  };
}

describe('SQL Server retry', () => {
  it.each(RECONFIGURATION_REFUSALS)('retries a login refused with %i, which tedious reports by message only', (_number, message) => {
    const refused = loginRefused(message);
    expect(refused).toMatchObject({ name: 'ConnectionError', code: 'ELOGIN' });
    expect(refused).not.toHaveProperty('number');
    expect(isTransientSqlServerError(refused)).toBe(true);
  });

  it('retries timeouts: connecting, a request, and waiting for a pooled connection', () => {
    expect(
      isTransientSqlServerError(new ConnectionError(new TediousConnectionError('Failed to connect to sql:1433 in 15000ms', 'ETIMEOUT'))),
    ).toBe(true);
    const requestTimeout = new RequestError(
      new TediousRequestError('Timeout: Request failed to complete in 60000ms', 'ETIMEOUT'),
      'EREQUEST',
    );
    expect(requestTimeout.code).toBe('ETIMEOUT');
    expect(isTransientSqlServerError(requestTimeout)).toBe(true);
    expect(isTransientSqlServerError(poolTimeout())).toBe(true);
  });

  it('retries deadlocks and dropped connections, wherever mssql wrapped them', () => {
    expect(isTransientSqlServerError(serverError(1205, 'Transaction (Process ID 61) was deadlocked ...'))).toBe(true);
    expect(isTransientSqlServerError(socketLost())).toBe(true);
    expect(isTransientSqlServerError(new ConnectionError('Connection is closed.', 'ECONNCLOSED'))).toBe(true);
    const aborted = Object.assign(new TransactionError('Transaction has been aborted.', 'EABORT'), { originalError: serverError(1205) });
    expect(isTransientSqlServerError(aborted)).toBe(true);
    const batch = Object.assign(serverError(3621), { precedingErrors: [serverError(40501)] });
    expect(isTransientSqlServerError(batch)).toBe(true);
    const several = new RequestError(new AggregateError([serverError(3621), serverError(1205)]), 'EREQUEST');
    expect(isTransientSqlServerError(several)).toBe(true);
  });

  it('treats every other error as real: a bad login, the firewall, a constraint, a bad statement', () => {
    expect(isTransientSqlServerError(loginRefused("Login failed for user 'goaudits-worker'."))).toBe(false);
    const firewall =
      "Cannot open server 'sql-goaudits' requested by the login. Client with IP address '203.0.113.64' is not allowed to access the server.";
    expect(isTransientSqlServerError(loginRefused(firewall))).toBe(false);
    expect(isTransientSqlServerError(serverError(2627, 'Violation of PRIMARY KEY constraint'))).toBe(false);
    expect(isTransientSqlServerError(serverError(515))).toBe(false);
    expect(isTransientSqlServerError(serverError(208, "Invalid object name 'OPENJSON'."))).toBe(false);
    expect(isTransientSqlServerError(new TimeoutError('a timeout of something else'))).toBe(false);
    expect(isTransientSqlServerError(new Error('no number'))).toBe(false);
    expect(isTransientSqlServerError('text')).toBe(false);
  });

  it('waits half of each doubling step plus a random half, up to the cap', () => {
    const policy: RetryPolicy = { budgetMs: 10_000, initialDelayMs: 100, maxDelayMs: 300 };
    expect([1, 2, 3, 4].map((retry) => retryDelayMs(policy, retry, () => 0))).toEqual([50, 100, 150, 150]);
    expect([1, 2, 3, 4].map((retry) => retryDelayMs(policy, retry, () => 1))).toEqual([100, 200, 300, 300]);
  });

  it('runs the work again after transient failures, then returns its result', async () => {
    const { clock, now, sleep } = simulatedClock();
    let calls = 0;
    const result = await withSqlServerRetry(
      async () => {
        calls++;
        if (calls === 1) throw serverError(1205);
        if (calls === 2) throw loginRefused(RECONFIGURATION_REFUSALS[0][1]);
        return 'saved';
      },
      { random: () => 0, now, sleep },
    );
    expect(result).toBe('saved');
    expect(clock.waits).toEqual([250, 500]);
  });

  it('keeps trying through a reconfiguration for 90 s by default, then gives up with the last error', async () => {
    const { clock, now, sleep } = simulatedClock();
    let calls = 0;
    const failing = withSqlServerRetry(
      async () => {
        calls++;
        throw loginRefused(RECONFIGURATION_REFUSALS[0][1]);
      },
      { random: () => 1, now, sleep },
    );
    await expect(failing).rejects.toMatchObject({ code: 'ELOGIN' });
    expect(clock.waits).toEqual([500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000, 10_000]);
    expect(calls).toBe(13);
    expect(clock.ms).toBe(85_500); // the next try would start after 95.5 s, past the budget
  });

  it('fails at once on a real error', async () => {
    const { clock, now, sleep } = simulatedClock();
    let calls = 0;
    const failing = withSqlServerRetry(
      async () => {
        calls++;
        throw serverError(2627);
      },
      { now, sleep },
    );
    await expect(failing).rejects.toMatchObject({ number: 2627 });
    expect(calls).toBe(1);
    expect(clock.ms).toBe(0);
  });
});
