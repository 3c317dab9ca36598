import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CREATE_SCHEMA_MIGRATIONS, SQLSERVER_MIGRATIONS, SQLSERVER_SCHEMA } from './sqlserver-schema';
import { SQLSERVER_STATEMENTS } from './sqlserver-statements';
import {
  UNPARSEABLE,
  alteredTable,
  checkStatement,
  createdTable,
  namesByFallback,
  namesByParser,
  schemaProblems,
} from '../../test/tsql-check';

/** The runbook beside the repository (absent where only the repository is checked out). */
const RUNBOOK = resolve(__dirname, '../../..', 'shared/reference/backfill-runbook.md');
/** Its ```sql blocks, copied verbatim. */
const FIXTURE = resolve(__dirname, '../../test/fixtures/runbook.sql');

/** The ```sql blocks of a markdown text, in order. */
const sqlBlocksOf = (markdown: string) => [...markdown.matchAll(/```sql\n([\s\S]*?)```/g)].map(([, block = '']) => block);

/** The fixture's blocks: what follows each "-- runbook block N: ..." line (the header before the first is dropped). */
const fixtureBlocksOf = (fixture: string) => fixture.split(/^-- runbook block \d+: .*\n/m).slice(1);

/** A block's statements, each ending with `;` at the end of a line. */
const statementsOf = (block: string) =>
  block
    .split(/;[ \t]*(?:\n|$)/)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '');

const runbookStatements = fixtureBlocksOf(readFileSync(FIXTURE, 'utf8')).flatMap((block, b) =>
  statementsOf(block).map((sql, s): [string, string] => [`runbook ${b + 1}.${s + 1}`, sql]),
);

describe('T-SQL check', () => {
  describe("the store's statements", () => {
    it.each(Object.entries(SQLSERVER_STATEMENTS))('%s names only tables and columns of the schema', (name, sql) => {
      expect(checkStatement(name, sql)).toEqual([]);
    });
  });

  describe("the operators' runbook", () => {
    (existsSync(RUNBOOK) ? it : it.skip)('is copied verbatim in test/fixtures/runbook.sql', () => {
      expect(fixtureBlocksOf(readFileSync(FIXTURE, 'utf8'))).toEqual(sqlBlocksOf(readFileSync(RUNBOOK, 'utf8')));
    });

    it('has statements to check', () => {
      expect(runbookStatements.map(([name]) => name)).toEqual([
        'runbook 1.1',
        'runbook 2.1',
        'runbook 2.2',
        'runbook 3.1',
        'runbook 3.2',
        'runbook 3.3',
      ]);
    });

    it.each(runbookStatements)('%s names only tables and columns of the schema', (name, sql) => {
      expect(checkStatement(name, sql)).toEqual([]);
    });
  });

  describe('the schema', () => {
    it('creates each table of SQLSERVER_SCHEMA with exactly its columns, in order (added columns last)', () => {
      const statements = [CREATE_SCHEMA_MIGRATIONS, ...SQLSERVER_MIGRATIONS.flatMap((migration) => Object.values(migration.statements))];
      const tables: Record<string, string[]> = {};
      for (const statement of statements) {
        const created = createdTable(statement);
        if (created) tables[created.table] = [...created.columns];
        const altered = alteredTable(statement);
        if (altered) tables[altered.table] = [...(tables[altered.table] ?? [`${altered.table} is not created before`]), ...altered.added];
      }
      expect(tables).toEqual(SQLSERVER_SCHEMA);
    });

    it('reads the columns an ALTER TABLE adds', () => {
      expect(alteredTable('ALTER TABLE dbo.GoAuditsEnrichmentClaims ADD ClaimedUtc datetime2(3) NULL;')).toEqual({
        table: 'GoAuditsEnrichmentClaims',
        added: ['ClaimedUtc'],
      });
    });

    it('lists as unparseable only statements that exist', () => {
      const names = new Set([...Object.keys(SQLSERVER_STATEMENTS), ...runbookStatements.map(([name]) => name)]);
      expect(Object.keys(UNPARSEABLE).filter((name) => !names.has(name))).toEqual([]);
    });
  });

  describe('the check itself', () => {
    it('sees every schema name each statement uses: a misspelling of any is reported', () => {
      const schemaNames = [...new Set([...Object.keys(SQLSERVER_SCHEMA), ...Object.values(SQLSERVER_SCHEMA).flat()])];
      const unseen = Object.entries(SQLSERVER_STATEMENTS).flatMap(([name, sql]) =>
        schemaNames.flatMap((schemaName) =>
          [...sql.matchAll(new RegExp(`\\b${schemaName}\\b`, 'g'))]
            .map(({ index }) => sql.slice(0, index) + `${schemaName}X` + sql.slice(index + schemaName.length))
            .filter((misspelt) => checkStatement(name, misspelt).length === 0)
            .map(() => `${name}: ${schemaName}`),
        ),
      );
      expect(unseen).toEqual([]);
    });

    it('catches a misspelt column, an unknown or unqualified table in a statement the parser reads', () => {
      expect(checkStatement('A', 'SELECT Statuz FROM dbo.JobRunHistory WHERE RunId = @runId')).toEqual([
        'A: Statuz is a column of none of the tables named (JobRunHistory)',
      ]);
      expect(schemaProblems(namesByParser('SELECT r.Certificate FROM dbo.GoAuditsReports AS r'))).toEqual([
        'GoAuditsReports.Certificate is not a column of the schema',
      ]);
      expect(schemaProblems(namesByParser('SELECT COUNT(*) AS n FROM dbo.GoAuditReports'))).toEqual([
        'table GoAuditReports is not in the schema',
      ]);
      expect(schemaProblems(namesByParser('SELECT COUNT(*) AS n FROM JobRunHistory'))).toEqual([
        'table JobRunHistory is not qualified with dbo.',
      ]);
    });

    it('knows the system views a statement may read, with their columns only', () => {
      expect(
        checkStatement('LEVEL', 'SELECT d.compatibility_level AS level FROM sys.databases AS d WHERE d.database_id = DB_ID();'),
      ).toEqual([]);
      expect(checkStatement('LEVEL', 'SELECT d.compatibility_lvl AS level FROM sys.databases AS d;')).toEqual([
        'LEVEL: databases.compatibility_lvl is not a column of the schema',
      ]);
      expect(checkStatement('LEVEL', 'SELECT o.name FROM sys.objects AS o;')).toEqual([
        'LEVEL: system view sys.objects is not in SYSTEM_VIEWS',
        'LEVEL: objects.name: objects is not a table of the schema',
      ]);
    });

    it('reads the table of a CREATE INDEX, which the parser leaves out of its table list', () => {
      expect(namesByParser('CREATE INDEX IX ON dbo.JobRunHistory (JobName, RunStartedUtc DESC)').tables).toEqual([
        { schema: 'dbo', table: 'JobRunHistory' },
      ]);
    });

    it('catches the same mistakes by the fallback in a statement the parser cannot read', () => {
      const merge = `MERGE dbo.JobWatermark AS target
        USING (SELECT N'GoAuditsIngestion' AS JobName, @watermarkUtc AS WatermarkUtc) AS src -- a PascalCase Comment
        ON target.JobName = src.JobName
        WHEN MATCHED THEN UPDATE SET WatermarkUtc = src.WatermarkUtc, [UpdatedAt] = SYSUTCDATETIME()
        WHEN NOT MATCHED THEN INSERT (JobName, Watermark) VALUES (src.JobName, src.WatermarkUtc);`;
      expect(() => namesByParser(merge)).toThrow();
      expect(schemaProblems(namesByFallback(merge))).toEqual([
        'UpdatedAt is a column of none of the tables named (JobWatermark)',
        'Watermark is a column of none of the tables named (JobWatermark)',
      ]);
      expect(schemaProblems(namesByFallback('MERGE [dbo].[JobWatermarks] AS target'))).toEqual([
        'table JobWatermarks is not in the schema',
      ]);
    });

    it('keeps UNPARSEABLE honest both ways', () => {
      const merge = `MERGE dbo.JobWatermark AS target USING (SELECT N'x' AS JobName) AS src
        ON target.JobName = src.JobName WHEN MATCHED THEN DELETE;`;
      expect(checkStatement('NEW_STATEMENT', merge)).toEqual([
        expect.stringMatching(/^NEW_STATEMENT: node-sql-parser cannot read it .*; fix it or list it in UNPARSEABLE$/),
      ]);
      expect(checkStatement('PENDING_ENRICHMENT', 'SELECT TOP (10) GoAuditsReportId FROM dbo.GoAuditsReports')).toEqual([
        'PENDING_ENRICHMENT: node-sql-parser reads it now; take it off UNPARSEABLE',
      ]);
    });

    it('checks the table and column of a COL_LENGTH guard, whose names are string literals', () => {
      const guard = (table: string, column: string) =>
        `IF COL_LENGTH(N'dbo.${table}', N'${column}') IS NULL ALTER TABLE dbo.GoAuditsEnrichmentClaims ADD ClaimedUtc datetime2(3) NULL;`;
      expect(checkStatement('GUARD', guard('GoAuditsEnrichmentClaims', 'ClaimedUtc'))).toEqual([]);
      expect(checkStatement('GUARD', guard('GoAuditsEnrichmentClaims', 'ClaimedAt'))).toEqual([
        'GUARD: GoAuditsEnrichmentClaims.ClaimedAt is not a column of the schema',
      ]);
    });

    it('refuses a reading that misses the tables the text names', () => {
      expect(checkStatement('MISREAD', 'MERGE dbo.JobWatermark AS target')).toEqual([
        'MISREAD: node-sql-parser read the tables [] where the text names [JobWatermark]',
      ]);
    });
  });
});
