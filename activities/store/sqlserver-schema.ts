/**
 * The SQL Server tables (schema `dbo`), exactly as the legacy jobs and the operators' SQL know
 * them, as versioned migrations. Every statement is create-if-missing, so a migration adopts the
 * production tables as they are and running it again changes nothing.
 */

/**
 * Every table and its columns, in creation order (a column a later migration adds comes last):
 * the one list the T-SQL check holds statements to.
 */
export const SQLSERVER_SCHEMA = {
  SchemaMigrations: ['Version', 'AppliedUtc'],
  JobWatermark: ['JobName', 'WatermarkUtc', 'UpdatedUtc'],
  JobRunHistory: ['RunId', 'JobName', 'RunStartedUtc', 'RunCompletedUtc', 'Status', 'Message', 'CorrelationId', 'CreatedUtc'],
  ProcessedItems: ['JobName', 'ItemKey', 'ProcessedUtc', 'RunId'],
  GoAuditsReports: ['GoAuditsReportId', 'CompletedAtUtc', 'CertificationNumber', 'JobRunId', 'IngestedAtUtc'],
  GoAuditsReportAnswers: ['GoAuditsReportId', 'QuestionKey', 'AnswerValue', 'Section', 'QuestionText', 'JobRunId', 'IngestedAtUtc'],
  GoAuditsCallLane: ['LaneName', 'NextCallAtMs', 'RefusedToken', 'HeldUntilMs', 'LongRunNextAtMs', 'OthersActiveUntilMs'],
  GoAuditsEnrichmentFailures: ['GoAuditsReportId', 'Failures', 'LastError', 'LastFailedUtc', 'QuarantinedUtc', 'LastAttemptId'],
  GoAuditsEnrichmentClaims: ['GoAuditsReportId', 'RunId', 'ClaimedUntilUtc', 'ClaimedUtc'],
  GoAuditsMissedDays: ['SummaryDay', 'Failures', 'LastError', 'LastFailedUtc', 'LastAttemptId'],
  GoAuditsReportVersions: ['GoAuditsReportId', 'SummaryFingerprint', 'RefreshRequestedUtc'],
  GoAuditsDeletedReports: ['GoAuditsReportId', 'CompletedAtUtc', 'CertificationNumber', 'Answers', 'DeletedUtc', 'DeletedByRunId'],
  GoAuditsLaneWaiters: ['WaiterId', 'Priority', 'QueuedAtMs', 'ExpiresAtMs'],
  GoAuditsCallBudgets: ['RunKey', 'BudgetDay', 'Calls'],
} as const satisfies Record<string, readonly string[]>;

/** The applied schema versions; created before any migration runs. */
export const CREATE_SCHEMA_MIGRATIONS = `IF OBJECT_ID(N'dbo.SchemaMigrations', N'U') IS NULL
CREATE TABLE dbo.SchemaMigrations (
  Version    int          NOT NULL,
  AppliedUtc datetime2(0) NOT NULL DEFAULT SYSUTCDATETIME(),
  CONSTRAINT PK_SchemaMigrations PRIMARY KEY (Version)
);`;

export const CREATE_JOB_WATERMARK = `IF OBJECT_ID(N'dbo.JobWatermark', N'U') IS NULL
CREATE TABLE dbo.JobWatermark (
  JobName      nvarchar(100) NOT NULL,
  WatermarkUtc datetime2(0)  NULL,
  UpdatedUtc   datetime2(0)  NOT NULL DEFAULT SYSUTCDATETIME(),
  CONSTRAINT PK_JobWatermark PRIMARY KEY (JobName)
);`;

export const CREATE_JOB_RUN_HISTORY = `IF OBJECT_ID(N'dbo.JobRunHistory', N'U') IS NULL
CREATE TABLE dbo.JobRunHistory (
  RunId           uniqueidentifier NOT NULL DEFAULT NEWID(),
  JobName         nvarchar(100)    NOT NULL,
  RunStartedUtc   datetime2(0)     NOT NULL DEFAULT SYSUTCDATETIME(),
  RunCompletedUtc datetime2(0)     NULL,
  Status          nvarchar(30)     NOT NULL,
  Message         nvarchar(4000)   NULL,
  CorrelationId   nvarchar(100)    NULL,
  CreatedUtc      datetime2(0)     NOT NULL DEFAULT SYSUTCDATETIME(),
  CONSTRAINT PK_JobRunHistory PRIMARY KEY (RunId)
);`;

/** The runbook's "latest runs" query reads this index. Matched by name: an equal index under another name is not seen. */
export const INDEX_JOB_RUN_HISTORY = `IF INDEXPROPERTY(OBJECT_ID(N'dbo.JobRunHistory'), N'IX_JobRunHistory_JobName_RunStartedUtc', N'IndexID') IS NULL
CREATE INDEX IX_JobRunHistory_JobName_RunStartedUtc ON dbo.JobRunHistory (JobName, RunStartedUtc DESC);`;

export const CREATE_PROCESSED_ITEMS = `IF OBJECT_ID(N'dbo.ProcessedItems', N'U') IS NULL
CREATE TABLE dbo.ProcessedItems (
  JobName      nvarchar(100)    NOT NULL,
  ItemKey      nvarchar(200)    NOT NULL,
  ProcessedUtc datetime2(0)     NOT NULL DEFAULT SYSUTCDATETIME(),
  RunId        uniqueidentifier NULL,
  CONSTRAINT PK_ProcessedItems PRIMARY KEY (JobName, ItemKey)
);`;

/** CompletedAtUtc and IngestedAtUtc are datetime2 (7), the legacy tables' type; the store writes whole seconds. */
export const CREATE_GOAUDITS_REPORTS = `IF OBJECT_ID(N'dbo.GoAuditsReports', N'U') IS NULL
CREATE TABLE dbo.GoAuditsReports (
  GoAuditsReportId    nvarchar(100)    NOT NULL,
  CompletedAtUtc      datetime2        NOT NULL,
  CertificationNumber nvarchar(100)    NULL,
  JobRunId            uniqueidentifier NOT NULL,
  IngestedAtUtc       datetime2        NOT NULL DEFAULT SYSUTCDATETIME(),
  CONSTRAINT PK_GoAuditsReports PRIMARY KEY (GoAuditsReportId)
);`;

export const CREATE_GOAUDITS_REPORT_ANSWERS = `IF OBJECT_ID(N'dbo.GoAuditsReportAnswers', N'U') IS NULL
CREATE TABLE dbo.GoAuditsReportAnswers (
  GoAuditsReportId nvarchar(100)    NOT NULL,
  QuestionKey      nvarchar(256)    NOT NULL,
  AnswerValue      nvarchar(max)    NULL,
  Section          nvarchar(200)    NULL,
  QuestionText     nvarchar(1000)   NULL,
  JobRunId         uniqueidentifier NOT NULL,
  IngestedAtUtc    datetime2        NOT NULL DEFAULT SYSUTCDATETIME(),
  CONSTRAINT PK_GoAuditsReportAnswers PRIMARY KEY (GoAuditsReportId, QuestionKey)
);`;

/**
 * The call lane every worker shares, so the GoAudits rate limit holds across processes:
 * NextCallAtMs is the lane's next free start, in epoch milliseconds; RefusedToken the SHA-256
 * (hex) of the token GoAudits last refused, never the token.
 */
export const CREATE_GOAUDITS_CALL_LANE = `IF OBJECT_ID(N'dbo.GoAuditsCallLane', N'U') IS NULL
CREATE TABLE dbo.GoAuditsCallLane (
  LaneName     nvarchar(50) NOT NULL,
  NextCallAtMs bigint       NOT NULL,
  RefusedToken char(64)     NULL,
  CONSTRAINT PK_GoAuditsCallLane PRIMARY KEY (LaneName)
);`;

/** The one lane, idle (free from the epoch on), unless it exists. */
export const SEED_GOAUDITS_CALL_LANE = `INSERT INTO dbo.GoAuditsCallLane (LaneName, NextCallAtMs)
SELECT N'GoAudits', 0
WHERE NOT EXISTS (SELECT 1 FROM dbo.GoAuditsCallLane WITH (UPDLOCK, HOLDLOCK) WHERE LaneName = N'GoAudits');`;

/**
 * Failed enrichments per report, across runs: Failures so far, the last error (cut to 1000
 * characters) and when; QuarantinedUtc is set once Failures reaches the quarantine's limit, and
 * sweeps skip the report from then on. A report's row goes when it is enriched or requeued.
 */
export const CREATE_GOAUDITS_ENRICHMENT_FAILURES = `IF OBJECT_ID(N'dbo.GoAuditsEnrichmentFailures', N'U') IS NULL
CREATE TABLE dbo.GoAuditsEnrichmentFailures (
  GoAuditsReportId nvarchar(100)  NOT NULL,
  Failures         int            NOT NULL,
  LastError        nvarchar(1000) NULL,
  LastFailedUtc    datetime2(0)   NOT NULL,
  QuarantinedUtc   datetime2(0)   NULL,
  CONSTRAINT PK_GoAuditsEnrichmentFailures PRIMARY KEY (GoAuditsReportId)
);`;

/**
 * Which run is enriching a report, until when: a sweep skips a report another run holds an
 * unexpired claim on, so two runs never enrich it at once. A run releases its claims when it is
 * done with them; an expired claim (its run died) is free for any run to take.
 */
export const CREATE_GOAUDITS_ENRICHMENT_CLAIMS = `IF OBJECT_ID(N'dbo.GoAuditsEnrichmentClaims', N'U') IS NULL
CREATE TABLE dbo.GoAuditsEnrichmentClaims (
  GoAuditsReportId nvarchar(100)    NOT NULL,
  RunId            uniqueidentifier NOT NULL,
  ClaimedUntilUtc  datetime2(0)     NOT NULL,
  CONSTRAINT PK_GoAuditsEnrichmentClaims PRIMARY KEY (GoAuditsReportId)
);`;

/**
 * Summary days whose call still failed after its tries, across runs: Failures so far, the last
 * error (cut to 1000 characters) and when. Later runs read such a day again; its row goes once a
 * window over it goes through.
 */
export const CREATE_GOAUDITS_MISSED_DAYS = `IF OBJECT_ID(N'dbo.GoAuditsMissedDays', N'U') IS NULL
CREATE TABLE dbo.GoAuditsMissedDays (
  SummaryDay    date           NOT NULL,
  Failures      int            NOT NULL,
  LastError     nvarchar(1000) NULL,
  LastFailedUtc datetime2(0)   NOT NULL,
  CONSTRAINT PK_GoAuditsMissedDays PRIMARY KEY (SummaryDay)
);`;

/**
 * What was last seen of each stored report in the summary: the fingerprint of its summary rows
 * (a SHA-256 in hex; wider, so any text fits) and, while its details are to be fetched again,
 * when that was asked for. Times to the millisecond (datetime2(3)): a refresh request and a claim
 * in the same second must still be told apart. A report stored before this table adopts its
 * first fingerprint silently.
 */
export const CREATE_GOAUDITS_REPORT_VERSIONS = `IF OBJECT_ID(N'dbo.GoAuditsReportVersions', N'U') IS NULL
CREATE TABLE dbo.GoAuditsReportVersions (
  GoAuditsReportId    nvarchar(100) NOT NULL,
  SummaryFingerprint  nvarchar(200) NULL,
  RefreshRequestedUtc datetime2(3)  NULL,
  CONSTRAINT PK_GoAuditsReportVersions PRIMARY KEY (GoAuditsReportId)
);`;

/**
 * When a run took (or renewed) its claim, to the millisecond: a refresh request older than the
 * claim is lifted when the run saves the report's details, a later one stays for the next run.
 * NULL for claims taken before this column.
 */
export const ADD_GOAUDITS_ENRICHMENT_CLAIMED_UTC = `IF COL_LENGTH(N'dbo.GoAuditsEnrichmentClaims', N'ClaimedUtc') IS NULL
ALTER TABLE dbo.GoAuditsEnrichmentClaims ADD ClaimedUtc datetime2(3) NULL;`;

/**
 * Reports a reconcile deleted because GoAudits no longer lists them, one row per deletion: the
 * report's CompletedAtUtc and certificate number, how many answer rows it had, when and by which
 * run. DeletedUtc to the millisecond (datetime2(3)), so an id deleted, listed again and deleted
 * once more keeps both rows.
 */
export const CREATE_GOAUDITS_DELETED_REPORTS = `IF OBJECT_ID(N'dbo.GoAuditsDeletedReports', N'U') IS NULL
CREATE TABLE dbo.GoAuditsDeletedReports (
  GoAuditsReportId    nvarchar(100)    NOT NULL,
  CompletedAtUtc      datetime2        NOT NULL,
  CertificationNumber nvarchar(100)    NULL,
  Answers             int              NOT NULL,
  DeletedUtc          datetime2(3)     NOT NULL,
  DeletedByRunId      uniqueidentifier NOT NULL,
  CONSTRAINT PK_GoAuditsDeletedReports PRIMARY KEY (GoAuditsReportId, DeletedUtc)
);`;

/** The latest deletions first (deletedReports). Matched by name. */
export const INDEX_GOAUDITS_DELETED_REPORTS = `IF INDEXPROPERTY(OBJECT_ID(N'dbo.GoAuditsDeletedReports'), N'IX_GoAuditsDeletedReports_DeletedUtc', N'IndexID') IS NULL
CREATE INDEX IX_GoAuditsDeletedReports_DeletedUtc ON dbo.GoAuditsDeletedReports (DeletedUtc DESC);`;

/**
 * The enrichment sweep's selection (PENDING_ENRICHMENT) reads the reports newest first and stops
 * at its limit: this index gives them in that order, so a sweep no longer sorts the whole table.
 * Matched by name.
 */
export const INDEX_GOAUDITS_REPORTS_COMPLETED_AT = `IF INDEXPROPERTY(OBJECT_ID(N'dbo.GoAuditsReports'), N'IX_GoAuditsReports_CompletedAtUtc', N'IndexID') IS NULL
CREATE INDEX IX_GoAuditsReports_CompletedAtUtc ON dbo.GoAuditsReports (CompletedAtUtc DESC, GoAuditsReportId) INCLUDE (CertificationNumber);`;

/**
 * The call that counted a report's last failure: a call retried after its commit's answer was
 * lost (the connection dropped) finds its own id there and counts nothing more.
 */
export const ADD_GOAUDITS_ENRICHMENT_FAILURES_LAST_ATTEMPT_ID = `IF COL_LENGTH(N'dbo.GoAuditsEnrichmentFailures', N'LastAttemptId') IS NULL
ALTER TABLE dbo.GoAuditsEnrichmentFailures ADD LastAttemptId uniqueidentifier NULL;`;

/** The same for a missed summary day's failures. */
export const ADD_GOAUDITS_MISSED_DAYS_LAST_ATTEMPT_ID = `IF COL_LENGTH(N'dbo.GoAuditsMissedDays', N'LastAttemptId') IS NULL
ALTER TABLE dbo.GoAuditsMissedDays ADD LastAttemptId uniqueidentifier NULL;`;

/**
 * The call lane's priorities and budgets (epoch milliseconds): the end of the last 429 hold, for
 * every run to show; the earliest next start of a long run while others are active; until when
 * they count as active (see LaneTurnRequest in store.ts).
 */
export const ADD_GOAUDITS_CALL_LANE_HELD_UNTIL = `IF COL_LENGTH(N'dbo.GoAuditsCallLane', N'HeldUntilMs') IS NULL
ALTER TABLE dbo.GoAuditsCallLane ADD HeldUntilMs bigint NOT NULL DEFAULT 0;`;
export const ADD_GOAUDITS_CALL_LANE_LONG_RUN_NEXT = `IF COL_LENGTH(N'dbo.GoAuditsCallLane', N'LongRunNextAtMs') IS NULL
ALTER TABLE dbo.GoAuditsCallLane ADD LongRunNextAtMs bigint NOT NULL DEFAULT 0;`;
export const ADD_GOAUDITS_CALL_LANE_OTHERS_ACTIVE = `IF COL_LENGTH(N'dbo.GoAuditsCallLane', N'OthersActiveUntilMs') IS NULL
ALTER TABLE dbo.GoAuditsCallLane ADD OthersActiveUntilMs bigint NOT NULL DEFAULT 0;`;

/**
 * Calls waiting for their turn in the lane, by priority and since when; a waiter that stops asking
 * expires. Binary keys: the pipeline makes them, and compares them as bytes.
 */
export const CREATE_GOAUDITS_LANE_WAITERS = `IF OBJECT_ID(N'dbo.GoAuditsLaneWaiters', N'U') IS NULL
CREATE TABLE dbo.GoAuditsLaneWaiters (
  WaiterId    nvarchar(100) COLLATE Latin1_General_100_BIN2 NOT NULL,
  Priority    int    NOT NULL,
  QueuedAtMs  bigint NOT NULL,
  ExpiresAtMs bigint NOT NULL,
  CONSTRAINT PK_GoAuditsLaneWaiters PRIMARY KEY (WaiterId)
);`;

/** A budgeted run's GoAudits calls per budget day (epoch milliseconds over the day's length: UTC days). */
export const CREATE_GOAUDITS_CALL_BUDGETS = `IF OBJECT_ID(N'dbo.GoAuditsCallBudgets', N'U') IS NULL
CREATE TABLE dbo.GoAuditsCallBudgets (
  RunKey    nvarchar(400) COLLATE Latin1_General_100_BIN2 NOT NULL,
  BudgetDay bigint NOT NULL,
  Calls     int    NOT NULL,
  CONSTRAINT PK_GoAuditsCallBudgets PRIMARY KEY (RunKey, BudgetDay)
);`;

/** One schema step: its statements run in order, in one transaction, then the version is recorded. */
export interface SqlServerMigration {
  version: number;
  statements: Readonly<Record<string, string>>;
}

/** Append new versions; never edit an applied one. */
export const SQLSERVER_MIGRATIONS: readonly SqlServerMigration[] = [
  {
    version: 1,
    statements: {
      CREATE_JOB_WATERMARK,
      CREATE_JOB_RUN_HISTORY,
      INDEX_JOB_RUN_HISTORY,
      CREATE_PROCESSED_ITEMS,
      CREATE_GOAUDITS_REPORTS,
      CREATE_GOAUDITS_REPORT_ANSWERS,
    },
  },
  {
    version: 2,
    statements: {
      CREATE_GOAUDITS_CALL_LANE,
      SEED_GOAUDITS_CALL_LANE,
    },
  },
  {
    version: 3,
    statements: {
      CREATE_GOAUDITS_ENRICHMENT_FAILURES,
    },
  },
  {
    version: 4,
    statements: {
      CREATE_GOAUDITS_ENRICHMENT_CLAIMS,
    },
  },
  {
    version: 5,
    statements: {
      CREATE_GOAUDITS_MISSED_DAYS,
    },
  },
  {
    version: 6,
    statements: {
      CREATE_GOAUDITS_REPORT_VERSIONS,
      ADD_GOAUDITS_ENRICHMENT_CLAIMED_UTC,
    },
  },
  {
    version: 7,
    statements: {
      CREATE_GOAUDITS_DELETED_REPORTS,
      INDEX_GOAUDITS_DELETED_REPORTS,
    },
  },
  {
    version: 8,
    statements: {
      ADD_GOAUDITS_CALL_LANE_HELD_UNTIL,
      ADD_GOAUDITS_CALL_LANE_LONG_RUN_NEXT,
      ADD_GOAUDITS_CALL_LANE_OTHERS_ACTIVE,
      CREATE_GOAUDITS_LANE_WAITERS,
      CREATE_GOAUDITS_CALL_BUDGETS,
    },
  },
  {
    version: 9,
    statements: {
      INDEX_GOAUDITS_REPORTS_COMPLETED_AT,
      ADD_GOAUDITS_ENRICHMENT_FAILURES_LAST_ATTEMPT_ID,
      ADD_GOAUDITS_MISSED_DAYS_LAST_ATTEMPT_ID,
    },
  },
];
