import type Database from 'better-sqlite3';

/** One schema step, applied once in version order and recorded in SchemaMigrations. */
interface Migration {
  version: number;
  sql: string;
}

/**
 * The SQL Server tables with their exact names, in SQLite: text columns, datetimes as UTC
 * TEXT 'YYYY-MM-DD HH:MM:SS', no foreign keys. Each step is create-if-missing, so it also
 * adopts tables that already exist.
 */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE IF NOT EXISTS JobWatermark (
        JobName      TEXT NOT NULL PRIMARY KEY,
        WatermarkUtc TEXT NULL,
        UpdatedUtc   TEXT NOT NULL DEFAULT (datetime('now'))
      );
      CREATE TABLE IF NOT EXISTS JobRunHistory (
        RunId           TEXT NOT NULL PRIMARY KEY,
        JobName         TEXT NOT NULL,
        RunStartedUtc   TEXT NOT NULL DEFAULT (datetime('now')),
        RunCompletedUtc TEXT NULL,
        Status          TEXT NOT NULL,
        Message         TEXT NULL,
        CorrelationId   TEXT NULL,
        CreatedUtc      TEXT NOT NULL DEFAULT (datetime('now'))
      );
      CREATE INDEX IF NOT EXISTS IX_JobRunHistory_JobName_RunStartedUtc
        ON JobRunHistory (JobName, RunStartedUtc DESC);
      CREATE TABLE IF NOT EXISTS ProcessedItems (
        JobName      TEXT NOT NULL,
        ItemKey      TEXT NOT NULL,
        ProcessedUtc TEXT NOT NULL DEFAULT (datetime('now')),
        RunId        TEXT NULL,
        PRIMARY KEY (JobName, ItemKey)
      );
      CREATE TABLE IF NOT EXISTS GoAuditsReports (
        GoAuditsReportId    TEXT NOT NULL PRIMARY KEY,
        CompletedAtUtc      TEXT NOT NULL,
        CertificationNumber TEXT NULL,
        JobRunId            TEXT NOT NULL,
        IngestedAtUtc       TEXT NOT NULL DEFAULT (datetime('now'))
      );
      CREATE TABLE IF NOT EXISTS GoAuditsReportAnswers (
        GoAuditsReportId TEXT NOT NULL,
        QuestionKey      TEXT NOT NULL,
        AnswerValue      TEXT NULL,
        Section          TEXT NULL,
        QuestionText     TEXT NULL,
        JobRunId         TEXT NOT NULL,
        IngestedAtUtc    TEXT NOT NULL DEFAULT (datetime('now')),
        PRIMARY KEY (GoAuditsReportId, QuestionKey)
      );
    `,
  },
  {
    version: 2,
    sql: `
      CREATE TABLE IF NOT EXISTS GoAuditsCallLane (
        LaneName     TEXT    NOT NULL PRIMARY KEY,
        NextCallAtMs INTEGER NOT NULL,
        RefusedToken TEXT    NULL
      );
      INSERT INTO GoAuditsCallLane (LaneName, NextCallAtMs) VALUES ('GoAudits', 0) ON CONFLICT (LaneName) DO NOTHING;
    `,
  },
  {
    version: 3,
    sql: `
      CREATE TABLE IF NOT EXISTS GoAuditsEnrichmentFailures (
        GoAuditsReportId TEXT    NOT NULL PRIMARY KEY,
        Failures         INTEGER NOT NULL,
        LastError        TEXT    NULL,
        LastFailedUtc    TEXT    NOT NULL,
        QuarantinedUtc   TEXT    NULL
      );
    `,
  },
  {
    version: 4,
    sql: `
      CREATE TABLE IF NOT EXISTS GoAuditsEnrichmentClaims (
        GoAuditsReportId TEXT NOT NULL PRIMARY KEY,
        RunId            TEXT NOT NULL,
        ClaimedUntilUtc  TEXT NOT NULL
      );
    `,
  },
  {
    version: 5,
    sql: `
      CREATE TABLE IF NOT EXISTS GoAuditsMissedDays (
        SummaryDay    TEXT    NOT NULL PRIMARY KEY,
        Failures      INTEGER NOT NULL,
        LastError     TEXT    NULL,
        LastFailedUtc TEXT    NOT NULL
      );
    `,
  },
  {
    version: 6,
    sql: `
      CREATE TABLE IF NOT EXISTS GoAuditsReportVersions (
        GoAuditsReportId    TEXT NOT NULL PRIMARY KEY,
        SummaryFingerprint  TEXT NULL,
        RefreshRequestedUtc TEXT NULL
      );
      ALTER TABLE GoAuditsEnrichmentClaims ADD COLUMN ClaimedUtc TEXT NULL;
    `,
  },
  {
    version: 7,
    sql: `
      CREATE TABLE IF NOT EXISTS GoAuditsDeletedReports (
        GoAuditsReportId    TEXT    NOT NULL,
        CompletedAtUtc      TEXT    NOT NULL,
        CertificationNumber TEXT    NULL,
        Answers             INTEGER NOT NULL,
        DeletedUtc          TEXT    NOT NULL,
        DeletedByRunId      TEXT    NOT NULL,
        PRIMARY KEY (GoAuditsReportId, DeletedUtc)
      );
      CREATE INDEX IF NOT EXISTS IX_GoAuditsDeletedReports_DeletedUtc ON GoAuditsDeletedReports (DeletedUtc DESC);
    `,
  },
  {
    version: 8,
    sql: `
      ALTER TABLE GoAuditsCallLane ADD COLUMN HeldUntilMs INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE GoAuditsCallLane ADD COLUMN LongRunNextAtMs INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE GoAuditsCallLane ADD COLUMN OthersActiveUntilMs INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE IF NOT EXISTS GoAuditsLaneWaiters (
        WaiterId    TEXT    NOT NULL PRIMARY KEY,
        Priority    INTEGER NOT NULL,
        QueuedAtMs  INTEGER NOT NULL,
        ExpiresAtMs INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS GoAuditsCallBudgets (
        RunKey    TEXT    NOT NULL,
        BudgetDay INTEGER NOT NULL,
        Calls     INTEGER NOT NULL,
        PRIMARY KEY (RunKey, BudgetDay)
      );
    `,
  },
  {
    // The sweep's selection reads the reports newest first and stops at its limit.
    version: 9,
    sql: `
      CREATE INDEX IF NOT EXISTS IX_GoAuditsReports_CompletedAtUtc
        ON GoAuditsReports (CompletedAtUtc DESC, GoAuditsReportId);
    `,
  },
];

/**
 * Applies the steps the file is missing, in one IMMEDIATE transaction so that two processes
 * migrating at once take turns. A second call changes nothing.
 */
export function migrateSqlite(db: Database.Database): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS SchemaMigrations (
      Version    INTEGER NOT NULL PRIMARY KEY,
      AppliedUtc TEXT NOT NULL DEFAULT (datetime('now'))
    )`);
    const applied = new Set(db.prepare<[], number>('SELECT Version FROM SchemaMigrations').pluck().all());
    for (const { version, sql } of SQLITE_MIGRATIONS) {
      if (applied.has(version)) continue;
      db.exec(sql);
      db.prepare('INSERT INTO SchemaMigrations (Version) VALUES (?)').run(version);
    }
  }).immediate();
}
