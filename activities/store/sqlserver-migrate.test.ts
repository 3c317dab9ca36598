import type { ConnectionPool } from 'mssql';
import { sqlServerPoolConfig } from './sqlserver-connection';
import { migrateSqlServer } from './sqlserver-migrate';
import { SQLSERVER_MIGRATIONS } from './sqlserver-schema';
import { APPLIED_MIGRATIONS, DATABASE_COMPATIBILITY, LOCK_SCHEMA, RECORD_MIGRATION, SCHEMA_LOCK_TIMEOUT_MS } from './sqlserver-statements';

/**
 * A database that runs nothing: it answers the compatibility check with `level`, the schema lock
 * with each of `locks` in turn (then 0, granted), and records the versions RECORD_MIGRATION sends.
 */
function fakeDatabase({ level = 160, locks = [] as number[] } = {}) {
  const seen = { recorded: [] as number[], lockRequests: 0 };
  const request = () => {
    const inputs: Record<string, unknown> = {};
    const fake = {
      input: (name: string, _type: unknown, value: unknown) => ((inputs[name] = value), fake),
      output: () => fake,
      query: async (statement: string) => {
        if (statement === DATABASE_COMPATIBILITY) return { recordset: [{ databaseName: 'goaudits', compatibilityLevel: level }] };
        if (statement === APPLIED_MIGRATIONS) return { recordset: seen.recorded.map((Version) => ({ Version })) };
        if (statement === LOCK_SCHEMA) return { output: { locked: (seen.lockRequests++, locks.shift() ?? 0) } };
        if (statement === RECORD_MIGRATION) seen.recorded.push(Number(inputs.version));
        return { recordset: [], rowsAffected: [1] };
      },
    };
    return fake;
  };
  const transaction = () => ({ begin: async () => undefined, commit: async () => undefined, rollback: async () => undefined, request });
  return { seen, pool: { request, transaction } as unknown as ConnectionPool };
}

/** A clock only sleeping moves. */
const simulated = () => {
  let now = 0;
  return { now: () => now, sleep: async (ms: number) => void (now += ms), random: () => 1 };
};

describe('SQL Server migrations (no server)', () => {
  it('waits for the schema lock less long than a request may take, so "not granted" comes from the server', () => {
    const { requestTimeout } = sqlServerPoolConfig({
      auth: 'connection-string',
      connectionString: 'Server=x',
      poolMax: 1,
      retryBudgetMs: 0,
    });
    expect(SCHEMA_LOCK_TIMEOUT_MS).toBeLessThanOrEqual(requestTimeout! / 2);
  });

  it('tries again when another worker holds the schema lock, then applies every version once', async () => {
    const { seen, pool } = fakeDatabase({ locks: [-1, -1] });
    await migrateSqlServer(pool, simulated());
    expect(seen.lockRequests).toBe(3);
    expect(seen.recorded).toEqual(SQLSERVER_MIGRATIONS.map(({ version }) => version));
  });

  it('gives up naming the lock and the admin route once the budget is spent', async () => {
    const { pool } = fakeDatabase({ locks: Array.from({ length: 100 }, () => -1) });
    await expect(
      migrateSqlServer(pool, { ...simulated(), policy: { budgetMs: 20_000, initialDelayMs: 500, maxDelayMs: 10_000 } }),
    ).rejects.toThrow(
      /schema migrations failed \(the schema lock was not granted within 30 s .*another process is migrating\); an admin applies them/,
    );
  });

  it('refuses a database below compatibility level 130, naming the statement that fixes it', async () => {
    const { seen, pool } = fakeDatabase({ level: 120 });
    await expect(migrateSqlServer(pool, simulated())).rejects.toThrow(
      'database goaudits is at compatibility level 120; the store reads JSON with OPENJSON, which needs 130 or later: ' +
        'ALTER DATABASE [goaudits] SET COMPATIBILITY_LEVEL = 150',
    );
    expect(seen.recorded).toEqual([]);
  });
});
