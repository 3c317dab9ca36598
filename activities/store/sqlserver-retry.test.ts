import { isTransientSqlServerError, retryDelayMs, withSqlServerRetry, type RetryPolicy } from './sqlserver-retry';

/** An error shaped like mssql's RequestError for a server error number. */
const sqlError = (number: number) => Object.assign(new Error(`error ${number}`), { name: 'RequestError', code: 'EREQUEST', number });

const policy: RetryPolicy = { attempts: 4, initialDelayMs: 100, maxDelayMs: 300 };

describe('SQL Server retry', () => {
  it('knows deadlocks and transient Azure SQL errors by number, wherever mssql wrapped them', () => {
    expect(isTransientSqlServerError(sqlError(1205))).toBe(true);
    expect(isTransientSqlServerError(sqlError(40613))).toBe(true);
    const aborted = Object.assign(new Error('Transaction has been aborted.'), { code: 'EABORT', originalError: sqlError(1205) });
    expect(isTransientSqlServerError(aborted)).toBe(true);
    const batch = Object.assign(sqlError(3621), { precedingErrors: [sqlError(40501)] });
    expect(isTransientSqlServerError(batch)).toBe(true);
    expect(isTransientSqlServerError(Object.assign(new Error('socket hang up'), { code: 'ESOCKET' }))).toBe(true);
  });

  it('treats every other error as real', () => {
    expect(isTransientSqlServerError(sqlError(515))).toBe(false); // NULL into a NOT NULL column
    expect(isTransientSqlServerError(sqlError(2627))).toBe(false); // duplicate key
    expect(isTransientSqlServerError(new Error('no number'))).toBe(false);
    expect(isTransientSqlServerError('text')).toBe(false);
  });

  it('waits half of each doubling step plus a random half, up to the cap', () => {
    expect([1, 2, 3, 4].map((retry) => retryDelayMs(policy, retry, () => 0))).toEqual([50, 100, 150, 150]);
    expect([1, 2, 3, 4].map((retry) => retryDelayMs(policy, retry, () => 1))).toEqual([100, 200, 300, 300]);
  });

  it('runs the work again after transient failures, then returns its result', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withSqlServerRetry(
      async () => {
        calls++;
        if (calls < 3) throw sqlError(calls === 1 ? 1205 : 40197);
        return 'saved';
      },
      { policy, random: () => 0, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe('saved');
    expect(calls).toBe(3);
    expect(waits).toEqual([50, 100]);
  });

  it('gives up after policy.attempts tries with the last error', async () => {
    let calls = 0;
    const failing = withSqlServerRetry(
      async () => {
        calls++;
        throw sqlError(1205);
      },
      { policy, sleep: async () => undefined },
    );
    await expect(failing).rejects.toMatchObject({ number: 1205 });
    expect(calls).toBe(policy.attempts);
  });

  it('fails at once on a real error', async () => {
    let calls = 0;
    const failing = withSqlServerRetry(
      async () => {
        calls++;
        throw sqlError(515);
      },
      { policy, sleep: async () => undefined },
    );
    await expect(failing).rejects.toMatchObject({ number: 515 });
    expect(calls).toBe(1);
  });
});
