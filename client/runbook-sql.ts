/**
 * The runbook's read queries are T-SQL for SQL Server. The embedded SQLite store has the same
 * tables and columns, so two spellings are all that differ: the `dbo.` schema and `TOP (n)`.
 * This turns one such query into SQLite's words, leaving everything else as written.
 */
export function runbookQueryForSqlite(sql: string): string {
  const withoutSchema = sql
    .replace(/\bdbo\./gi, '')
    .trim()
    .replace(/;\s*$/, '');
  const top = /^SELECT\s+TOP\s*\(\s*(\d+)\s*\)\s*/i.exec(withoutSchema);
  if (!top) return withoutSchema;
  return `SELECT ${withoutSchema.slice(top[0].length)} LIMIT ${top[1]}`;
}
