import { ConnectionPool } from 'mssql';
import { startLoginRefusingServer } from '../../test/fake-tds-server';
import type { SqlServerConfig } from './sqlserver-config';
import { SQLSERVER_MIGRATIONS } from './sqlserver-schema';
import { APPLIED_MIGRATIONS, DATABASE_COMPATIBILITY } from './sqlserver-statements';
import { openSqlServerStore } from './sqlserver-store';
import { INGESTION_JOB } from './store';

const config: SqlServerConfig = { auth: 'connection-string', connectionString: 'Server=sql-goaudits', poolMax: 2, retryBudgetMs: 90_000 };

/** A server that refuses every login as Azure SQL does while the database moves (40613). */
let refusing: Awaited<ReturnType<typeof startLoginRefusingServer>>;
beforeAll(async () => {
  refusing = await startLoginRefusingServer({
    number: 40613,
    message: "Database 'goaudits' on server 'sql-goaudits' is not currently available.  Please retry the connection later.",
  });
});
afterAll(() => refusing.close());

/** A real mssql pool's login to the refusing server: the error mssql and tedious really raise. */
const notAvailable = () =>
  new ConnectionPool({
    server: '127.0.0.1',
    port: refusing.port,
    user: 'goaudits-worker',
    password: 'not-a-secret',
    options: { encrypt: false, connectionRetryInterval: 10 },
  }).connect();

/** A database that answers once it is back: every migration applied, every other statement a row. */
function answeringPool(): ConnectionPool {
  const request = () => {
    const fake = {
      input: () => fake,
      output: () => fake,
      query: async (statement: string) => {
        if (statement === APPLIED_MIGRATIONS) return { recordset: SQLSERVER_MIGRATIONS.map(({ version }) => ({ Version: version })) };
        if (statement === DATABASE_COMPATIBILITY) return { recordset: [{ databaseName: 'goaudits', compatibilityLevel: 160 }] };
        return { recordset: [{ watermarkUtc: '2025-10-01 00:00:00' }], output: {}, rowsAffected: [1] };
      },
    };
    return fake;
  };
  return { request, close: async () => undefined } as unknown as ConnectionPool;
}

/** A database that refuses logins until `outageMs` of simulated time have passed, and a clock that only sleeping moves. */
function outage(outageMs: number) {
  const seen = { now: 0, tries: 0 };
  return {
    seen,
    connect: async () => {
      seen.tries++;
      return seen.now < outageMs ? notAvailable() : answeringPool();
    },
    retry: {
      now: () => seen.now,
      sleep: async (ms: number) => void (seen.now += ms),
      random: () => 1,
    },
  };
}

describe('SQL Server store start (no server)', () => {
  it('starts, migrated, once a database that was failing over for 30 s answers', async () => {
    const { seen, connect, retry } = outage(30_000);
    const store = await openSqlServerStore(config, { connect, connectLane: connect, retry });
    await store.migrate();
    expect(await store.watermark(INGESTION_JOB)).toBe('2025-10-01T00:00:00Z');
    // Refused at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 25.5 s; in at 35.5 s, then the call lane's own pool at once.
    expect(seen.tries).toBe(9);
    expect(seen.now).toBe(35_500);
    await store.close();
  });

  it('gives up with the refusal once an outage outlasts the retry budget', async () => {
    const { seen, connect, retry } = outage(Infinity);
    await expect(openSqlServerStore({ ...config, retryBudgetMs: 20_000 }, { connect, connectLane: connect, retry })).rejects.toMatchObject({
      code: 'ELOGIN',
      message: expect.stringContaining('is not currently available'),
    });
    expect(seen.now).toBeLessThanOrEqual(20_000);
    expect(seen.tries).toBe(6);
  });

  it('fails at once when the login itself is wrong', async () => {
    const wrong = await startLoginRefusingServer({ number: 18456, message: "Login failed for user 'goaudits-worker'." });
    try {
      const connectionString = `Server=127.0.0.1,${wrong.port};Database=goaudits;User Id=goaudits-worker;Password=wrong;Encrypt=false`;
      await expect(openSqlServerStore({ ...config, connectionString })).rejects.toMatchObject({
        code: 'ELOGIN',
        message: "Login failed for user 'goaudits-worker'.",
      });
      expect(wrong.seen.logins).toBe(1);
    } finally {
      await wrong.close();
    }
  });
});
