import { Int, type ConnectionPool } from 'mssql';
import { CREATE_SCHEMA_MIGRATIONS, SQLSERVER_MIGRATIONS } from './sqlserver-schema';
import { inTransaction, query, type Queryable } from './sqlserver-query';
import { withSqlServerRetry, type RetryOptions } from './sqlserver-retry';
import { APPLIED_MIGRATIONS, LOCK_SCHEMA, RECORD_MIGRATION } from './sqlserver-statements';

/** How an admin applies the migrations when the worker may not (it holds no DDL grant). */
const ADMIN_HINT =
  'an admin applies them: npx tsx activities/store/sqlserver-print-migrations.ts > migrations.sql, ' +
  'then sqlcmd -i migrations.sql (see sql/grant.sql)';

/** The versions SchemaMigrations records; none before it exists. */
async function appliedVersions(on: Queryable): Promise<Set<number>> {
  const { recordset } = await query<{ Version: number }>(on, APPLIED_MIGRATIONS);
  return new Set((recordset ?? []).map((row) => row.Version));
}

/** Applies the missing versions in one transaction, holding the schema lock so that concurrent migrations take turns. */
async function applyMissing(pool: ConnectionPool): Promise<void> {
  await inTransaction(pool, async (transaction) => {
    const lock = await transaction.request().output('locked', Int).query(LOCK_SCHEMA);
    if (lock.output.locked < 0) throw new Error(`the schema lock was not granted (sp_getapplock returned ${lock.output.locked})`);
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
 * Brings the database to the latest schema version. When every version is applied already,
 * as it is for a worker that holds no DDL grant, it only reads SchemaMigrations.
 */
export async function migrateSqlServer(pool: ConnectionPool, retrying: RetryOptions = {}): Promise<void> {
  const applied = await withSqlServerRetry(() => appliedVersions(pool), retrying);
  if (SQLSERVER_MIGRATIONS.every(({ version }) => applied.has(version))) return;
  try {
    await withSqlServerRetry(() => applyMissing(pool), retrying);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`SQL Server schema migrations failed (${reason}); ${ADMIN_HINT}`, { cause: error });
  }
}
