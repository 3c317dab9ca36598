import { Parser } from 'node-sql-parser/build/transactsql';
import { SQLSERVER_SCHEMA } from '../activities/store/sqlserver-schema';

/**
 * Checks that a T-SQL statement names only the project's tables (dbo-qualified) and their
 * columns, as listed in SQLSERVER_SCHEMA. node-sql-parser (T-SQL grammar) reads most
 * statements; those it cannot read are listed in UNPARSEABLE, with the reason, and read by a
 * documented fallback instead. A test, not a runtime guard: node-sql-parser is a dev dependency.
 */

export type SqlSchema = Readonly<Record<string, readonly string[]>>;

export interface SqlNames {
  /** Every table named; schema null when unqualified. */
  tables: { schema: string | null; table: string }[];
  /** Every column named; table null when the statement leaves it to the reader. */
  columns: { table: string | null; column: string }[];
}

/**
 * The statements node-sql-parser 5 cannot read, by name (a key of SQLSERVER_STATEMENTS, or
 * `runbook <block>.<statement>`), with the construct it stops at. The test fails when one of
 * them starts to parse, so the list stays honest.
 */
export const UNPARSEABLE: Readonly<Record<string, string>> = {
  LOCK_SCHEMA: 'EXEC with a return-value variable (EXEC @locked = sp_getapplock ...)',
  COUNT_PROCESSED_REPORTS: "OPENJSON's WITH (column type path) clause",
  SEE_STORED_REPORTS_AGAIN: "OPENJSON's WITH (column type path) clause",
  INSERT_NEW_REPORTS: "OUTPUT ... INTO and OPENJSON's WITH clause",
  REPORT_STATE: 'the READCOMMITTEDLOCK table hint (a locking read under read-committed snapshot)',
  PENDING_ENRICHMENT: 'TOP (@limit): the grammar takes a number only (it fails, or reads TOP(@limit) as a function)',
  INSERT_NEW_ANSWERS: "OPENJSON's WITH (column type path) clause",
  RECORD_ENRICHMENT_FAILURE: 'OUTPUT in an UPDATE (OUTPUT inserted.Failures ...)',
  RECORD_FIRST_ENRICHMENT_FAILURE: 'OUTPUT in an INSERT (OUTPUT inserted.Failures ... VALUES ...)',
  QUARANTINED_REPORTS: 'TOP (@limit): the grammar takes a number only',
  REQUEUE_QUARANTINED: "OPENJSON's WITH (column type path) clause",
  CLAIM_REPORTS: "OUTPUT in an UPDATE (OUTPUT inserted.GoAuditsReportId ...) and OPENJSON's WITH clause",
  CLAIM_UNCLAIMED_REPORTS: "OUTPUT in an INSERT (OUTPUT inserted.GoAuditsReportId ... SELECT ...) and OPENJSON's WITH clause",
  RELEASE_REPORTS: "OPENJSON's WITH (column type path) clause",
  HELD_REPORTS: "OPENJSON's WITH (column type path) clause",
  LEDGER_ONLY_REPORTS: "OPENJSON's WITH (column type path) clause",
  REQUEST_REFRESH: "OPENJSON's WITH (column type path) clause",
  FORGET_LEDGER_OF_MISSING: "OUTPUT ... INTO in a DELETE and OPENJSON's WITH clause",
  DELETE_GONE_REPORT: 'OUTPUT ... INTO in an INSERT and an IF ... BEGIN ... END block',
  DELETED_REPORTS: 'TOP (@limit): the grammar takes a number only',
  TAKE_LANE_TURN: 'a batch with DECLARE, IF ... BEGIN ... END and its own transaction',
  'runbook 1.1': 'MERGE',
};

const parser = new Parser();
const TRANSACT_SQL = { database: 'TransactSQL' };

/** DATEADD/DATEDIFF/DATEPART's first argument, a keyword the parser lists as a column. */
const DATEPARTS = new Set(['year', 'quarter', 'month', 'dayofyear', 'day', 'week', 'weekday', 'hour', 'minute', 'second']);

/**
 * CONVERT's target type when it is a bare keyword the grammar also takes for a name, as in
 * CONVERT(date, @day, 23): the parser lists it as a column. Lower case only, as the statements
 * write types, so no PascalCase project column is ever dropped.
 */
const CONVERT_TYPES = new Set(['date']);

const orNull = (part: string | undefined) => (part === undefined || part === 'null' ? null : part);

/** The tables of CREATE INDEX statements anywhere in the tree: the parser's tableList leaves them out. */
function indexedTables(node: unknown): SqlNames['tables'] {
  if (Array.isArray(node)) return node.flatMap(indexedTables);
  if (typeof node !== 'object' || node === null) return [];
  const { keyword, table } = node as { keyword?: unknown; table?: { db?: string | null; table?: string } };
  const here = keyword === 'index' && typeof table?.table === 'string' ? [{ schema: table.db ?? null, table: table.table }] : [];
  return [...here, ...Object.values(node).flatMap(indexedTables)];
}

/** The INCLUDE columns of CREATE INDEX statements anywhere in the tree: the parser's columnList leaves them out. */
function includedColumns(node: unknown): SqlNames['columns'] {
  if (Array.isArray(node)) return node.flatMap(includedColumns);
  if (typeof node !== 'object' || node === null) return [];
  const { type, columns } = node as { type?: unknown; columns?: unknown };
  const here = type === 'include' && Array.isArray(columns) ? columns.map((column) => ({ table: null, column: String(column) })) : [];
  return [...here, ...Object.values(node).flatMap(includedColumns)];
}

/**
 * The names as node-sql-parser reads them: tableList (`op::schema::table`), columnList
 * (`op::table::column`, the table resolved from an alias) without @variables, `*`, dateparts
 * and CONVERT's bare target types. Throws when the parser cannot read the statement.
 */
export function namesByParser(sql: string): SqlNames {
  const { tableList, columnList, ast } = parser.parse(sql, TRANSACT_SQL);
  const listed = tableList.map((entry) => {
    const [, schema, table = ''] = entry.split('::');
    return { schema: orNull(schema), table };
  });
  const columns = columnList
    .map((entry) => {
      const [, table, column = ''] = entry.split('::');
      return { table: orNull(table), column };
    })
    .filter(
      ({ column }) => !column.startsWith('@') && column !== '(.*)' && !DATEPARTS.has(column.toLowerCase()) && !CONVERT_TYPES.has(column),
    );
  return { tables: [...listed, ...indexedTables(ast)], columns: [...columns, ...includedColumns(ast)] };
}

/** A `dbo.Name` or `sys.name` table reference, brackets allowed. */
const DBO_TABLE = /\[?(dbo|sys)\]?\.\[?(\w+)\]?/g;

/**
 * The system catalog views a statement may read (schema `sys`), with the columns it may name:
 * only these, so a misspelt one is reported as a project name would be.
 */
export const SYSTEM_VIEWS: SqlSchema = {
  databases: ['database_id', 'name', 'compatibility_level'],
};

/**
 * The fallback for UNPARSEABLE statements, over the text: with comments, string literals and
 * @variables removed, every `dbo.Name` is a table and every other [bracketed] or PascalCase
 * word is a column. This holds because the statements write keywords and functions in upper
 * case, types in lower case, aliases and JSON fields in lower camel case, and every project
 * name in PascalCase, so a misspelt table or column still shows up and fails the check.
 */
export function namesByFallback(sql: string): SqlNames {
  const code = sql
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .replace(/N?'(?:[^']|'')*'/g, ' ')
    .replace(/@@?\w+/g, ' ');
  const tables = [...code.matchAll(DBO_TABLE)].map(([, schema = '', table = '']) => ({ schema, table }));
  const columns = [...code.replace(DBO_TABLE, ' ').matchAll(/\[(\w+)\]|\b([A-Z][a-z]\w*)/g)].map(([, bracketed, word]) => ({
    table: null,
    column: bracketed ?? word ?? '',
  }));
  return { tables, columns };
}

/** What the names get wrong against the schema; empty when every name belongs to it. */
export function schemaProblems({ tables, columns }: SqlNames, schema: SqlSchema = SQLSERVER_SCHEMA): string[] {
  const problems = new Set<string>();
  const named = new Set<string>();
  const views = new Set<string>();
  for (const { schema: owner, table } of tables) {
    if (owner === 'sys') {
      if (Object.hasOwn(SYSTEM_VIEWS, table)) views.add(table);
      else problems.add(`system view sys.${table} is not in SYSTEM_VIEWS`);
    } else if (!Object.hasOwn(schema, table)) problems.add(`table ${table} is not in the schema`);
    else if (owner !== 'dbo') problems.add(`table ${table} is not qualified with dbo.`);
    else named.add(table);
  }
  const columnsOf = (table: string) => (views.has(table) ? SYSTEM_VIEWS[table] : Object.hasOwn(schema, table) ? schema[table] : undefined);
  const columnsOfNamed = new Set([...named, ...views].flatMap((table) => columnsOf(table) ?? []));
  for (const { table, column } of columns) {
    if (table === null) {
      if (!columnsOfNamed.has(column)) {
        problems.add(`${column} is a column of none of the tables named (${[...named, ...views].join(', ') || 'none'})`);
      }
    } else if (columnsOf(table) === undefined) {
      problems.add(`${table}.${column}: ${table} is not a table of the schema`);
    } else if (!columnsOf(table)?.includes(column)) {
      problems.add(`${table}.${column} is not a column of the schema`);
    }
  }
  return [...problems];
}

/**
 * Checks one named statement: parsed by node-sql-parser unless it is UNPARSEABLE (then read by
 * the fallback). Also a problem: a statement that does not parse and is not listed, one listed
 * that parses now, and one whose parsed tables are not those the text names.
 */
export function checkStatement(name: string, sql: string, schema: SqlSchema = SQLSERVER_SCHEMA): string[] {
  let names: SqlNames | undefined;
  let parseError = '';
  try {
    names = namesByParser(sql);
  } catch (error) {
    parseError = error instanceof Error ? error.message : String(error);
  }
  const listed = Object.hasOwn(UNPARSEABLE, name);
  if (listed && names) return [`${name}: node-sql-parser reads it now; take it off UNPARSEABLE`];
  if (!listed && !names) {
    return [`${name}: node-sql-parser cannot read it (${parseError.slice(0, 160)}); fix it or list it in UNPARSEABLE`];
  }
  const fallback = namesByFallback(sql);
  if (names && tableSet(names) !== tableSet(fallback)) {
    return [`${name}: node-sql-parser read the tables [${tableSet(names)}] where the text names [${tableSet(fallback)}]`];
  }
  const inLiterals = { tables: tablesInLiterals(sql), columns: columnsInLiterals(sql) };
  return [...schemaProblems(names ?? fallback, schema), ...schemaProblems(inLiterals, schema)].map((problem) => `${name}: ${problem}`);
}

/** Tables named in a string literal, such as OBJECT_ID(N'dbo.JobWatermark', N'U'): both readings skip literals. */
function tablesInLiterals(sql: string): SqlNames['tables'] {
  return [...sql.matchAll(/N?'\[?dbo\]?\.\[?(\w+)\]?'/g)].map(([, table = '']) => ({ schema: 'dbo', table }));
}

/** Columns named in string literals, as in COL_LENGTH(N'dbo.GoAuditsEnrichmentClaims', N'ClaimedUtc'). */
function columnsInLiterals(sql: string): SqlNames['columns'] {
  return [...sql.matchAll(/COL_LENGTH\(\s*N?'\[?dbo\]?\.\[?(\w+)\]?'\s*,\s*N?'\[?(\w+)\]?'\s*\)/gi)].map(([, table = '', column = '']) => ({
    table,
    column,
  }));
}

/**
 * The distinct tables, sorted, as one string. The parser accepts some text it does not
 * understand (an unknown `WORD x.y` reads as a variable assignment, naming no table), so its
 * tables must be the `dbo.` names the text holds.
 */
const tableSet = ({ tables }: SqlNames) => [...new Set(tables.map(({ table }) => table))].sort().join(', ');

/** The table an ALTER TABLE ... ADD statement changes, with the columns it adds in order, as the parser reads them. */
export function alteredTable(sql: string): { table: string; added: string[] } | undefined {
  const { tableList, columnList } = parser.parse(sql, TRANSACT_SQL);
  const altered = tableList.find((entry) => entry.startsWith('alter::'));
  if (altered === undefined) return undefined;
  const nameOf = (entry: string) => entry.split('::')[2] ?? '';
  return { table: nameOf(altered), added: columnList.filter((entry) => entry.startsWith('create::')).map(nameOf) };
}

/** The table a CREATE TABLE statement makes, with its columns in order, as the parser reads them. */
export function createdTable(sql: string): { table: string; columns: string[] } | undefined {
  const { tableList, columnList } = parser.parse(sql, TRANSACT_SQL);
  const created = tableList.find((entry) => entry.startsWith('create::'));
  if (created === undefined) return undefined;
  const nameOf = (entry: string) => entry.split('::')[2] ?? '';
  return { table: nameOf(created), columns: columnList.filter((entry) => entry.startsWith('create::')).map(nameOf) };
}
