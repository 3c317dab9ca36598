import { Int, type ConnectionPool } from 'mssql';
import { CREATE_SCHEMA_MIGRATIONS, SQLSERVER_MIGRATIONS } from './sqlserver-schema';
import { inTransaction, query, type Queryable } from './sqlserver-query';
import { isTransientSqlServerError, withSqlServerRetry, type RetryOptions } from './sqlserver-retry';
import { APPLIED_MIGRATIONS, DATABASE_COMPATIBILITY, LOCK_SCHEMA, RECORD_MIGRATION, SCHEMA_LOCK_TIMEOUT_MS } from './sqlserver-statements';

/** How an admin applies the migrations when the worker may not (it holds no DDL grant). */
const ADMIN_HINT =
  'an admin applies them: npx tsx activities/store/sqlserver-print-migrations.ts > migrations.sql, ' +
  'then sqlcmd -i migrations.sql (see sql/grant.sql)';

/** OPENJSON, which every window and every save reads its lists with, exists from compatibility level 130 (SQL Server 2016) on. */
export const LOWEST_COMPATIBILITY_LEVEL = 130;

/** Another process held the schema lock for all of SCHEMA_LOCK_TIMEOUT_MS: it is migrating, so this one tries again later. */
export class SchemaLockNotGrantedError extends Error {
  override readonly name = 'SchemaLockNotGrantedError';
}

/** Refuses a database whose compatibility level is too low for OPENJSON, naming the statement that raises it. */
async function checkCompatibility(on: Queryable): Promise<void> {
  const { recordset } = await query<{ databaseName: string; compatibilityLevel: number }>(on, DATABASE_COMPATIBILITY);
  const database = recordset[0];
  if (database === undefined || database.compatibilityLevel >= LOWEST_COMPATIBILITY_LEVEL) return;
  const name = database.databaseName.replace(/]/g, ']]');
  throw new Error(
    `database ${database.databaseName} is at compatibility level ${database.compatibilityLevel}; the store reads JSON with OPENJSON, ` +
      `which needs ${LOWEST_COMPATIBILITY_LEVEL} or later: ALTER DATABASE [${name}] SET COMPATIBILITY_LEVEL = 150`,
  );
}

/** The versions SchemaMigrations records; none before it exists. */
async function appliedVersions(on: Queryable): Promise<Set<number>> {
  const { recordset } = await query<{ Version: number }>(on, APPLIED_MIGRATIONS);
  return new Set((recordset ?? []).map((row) => row.Version));
}

/**
 * Applies the missing versions in one transaction, holding the schema lock so that concurrent
 * migrations take turns; the versions are read again under the lock, so a worker that waited
 * for another's migration applies nothing.
 */
async function applyMissing(pool: ConnectionPool): Promise<void> {
  await inTransaction(pool, async (transaction) => {
    const lock = await transaction.request().output('locked', Int).query(LOCK_SCHEMA);
    const locked = Number(lock.output.locked);
    if (locked === -1 || locked === -3) {
      throw new SchemaLockNotGrantedError(
        `the schema lock was not granted within ${SCHEMA_LOCK_TIMEOUT_MS / 1000} s (sp_getapplock returned ${locked}): another process is migrating`,
      );
    }
    if (locked < 0) throw new Error(`the schema lock was not granted (sp_getapplock returned ${locked})`);
    await query(transaction, CREATE_SCHEMA_MIGRATIONS);
    const applied = await appliedVersions(transaction);
    for (const { version, statements } of SQLSERVER_MIGRATIONS) {
      if (applied.has(version)) continue;
      for (const statement of Object.values(statements)) await query(transaction, statement);
      await query(transaction, RECORD_MIGRATION, { version: [Int, version] });
    }
  });
}

/**
 * Brings the database to the latest schema version, once its compatibility level is checked.
 * When every version is applied already, as it is for a worker that holds no DDL grant, it only
 * reads SchemaMigrations. A schema lock not granted (another worker is migrating) is tried again
 * within the retry budget, like a transient error.
 */
export async function migrateSqlServer(pool: ConnectionPool, retrying: RetryOptions = {}): Promise<void> {
  await withSqlServerRetry(() => checkCompatibility(pool), retrying);
  const applied = await withSqlServerRetry(() => appliedVersions(pool), retrying);
  if (SQLSERVER_MIGRATIONS.every(({ version }) => applied.has(version))) return;
  const lockOrTransient = (error: unknown) => error instanceof SchemaLockNotGrantedError || isTransientSqlServerError(error);
  try {
    await withSqlServerRetry(() => applyMissing(pool), { ...retrying, isTransient: lockOrTransient });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`SQL Server schema migrations failed (${reason}); ${ADMIN_HINT}`, { cause: error });
  }
}
