import { ISOLATION_LEVEL, type ConnectionPool, type IResult, type ISqlType, type Request, type Transaction } from 'mssql';

/** The pool (each statement on its own) or a transaction (statements share it). */
export interface Queryable {
  request(): Request;
}

/** Named parameters: the T-SQL type each is declared as, and its value. */
export type QueryParameters = Readonly<Record<string, readonly [type: ISqlType | (() => ISqlType), value: unknown]>>;

/** Runs one statement (or batch) with its parameters declared, so SQL Server reuses one plan per statement. */
export function query<Row = Record<string, unknown>>(
  on: Queryable,
  statement: string,
  parameters: QueryParameters = {},
): Promise<IResult<Row>> {
  const request = on.request();
  for (const [name, [type, value]] of Object.entries(parameters)) request.input(name, type, value);
  return request.query<Row>(statement);
}

/**
 * Runs `work` in one READ COMMITTED transaction (the statements take the locks they need) and
 * commits it; on any error rolls it back and rethrows that error.
 */
export async function inTransaction<T>(pool: ConnectionPool, work: (transaction: Transaction) => Promise<T>): Promise<T> {
  const transaction = pool.transaction();
  await transaction.begin(ISOLATION_LEVEL.READ_COMMITTED);
  try {
    const result = await work(transaction);
    await transaction.commit();
    return result;
  } catch (error) {
    // With XACT_ABORT or a deadlock the server has rolled back already and mssql refuses a
    // second rollback: the work's error is the one worth reporting.
    await transaction.rollback().catch(() => undefined);
    throw error;
  }
}
