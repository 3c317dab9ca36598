import { CREATE_SCHEMA_MIGRATIONS, SQLSERVER_MIGRATIONS } from './sqlserver-schema';

/**
 * Every T-SQL statement the SQL Server store sends, parameterised (`@name`). Times travel as
 * UTC text 'YYYY-MM-DD HH:MM:SS' (style 120); lists travel as one JSON parameter read with
 * OPENJSON, so a window or a report's answers are written set-based, not row by row.
 * Inserts skip keys that exist (NOT EXISTS under UPDLOCK, HOLDLOCK, so two writers cannot both
 * find a key missing); a NULL in a NOT NULL column still fails the transaction.
 * Project names are PascalCase, keywords upper case, aliases and JSON fields lower camel case:
 * tsql-check relies on it for the statements its parser cannot read.
 */

/** Today's "empty certificate number": NULL or only spaces. */
const certificateMissing = (column: string) => `(${column} IS NULL OR LTRIM(RTRIM(${column})) = N'')`;

// Schema bookkeeping (migrate).

/** The applied versions; no rows (and no result set) before the first migration. */
export const APPLIED_MIGRATIONS = `IF OBJECT_ID(N'dbo.SchemaMigrations', N'U') IS NOT NULL
SELECT Version FROM dbo.SchemaMigrations;`;

/** Makes concurrent migrations take turns until their transaction ends; @locked < 0: not granted. */
export const LOCK_SCHEMA = `EXEC @locked = sp_getapplock @Resource = N'GoAuditsSchemaMigrations', @LockMode = N'Exclusive',
  @LockOwner = N'Transaction', @LockTimeout = 60000;`;

export const RECORD_MIGRATION = `INSERT INTO dbo.SchemaMigrations (Version)
SELECT @version
WHERE NOT EXISTS (SELECT 1 FROM dbo.SchemaMigrations WITH (UPDLOCK, HOLDLOCK) WHERE Version = @version);`;

// Watermarks.

export const READ_WATERMARK = `SELECT CONVERT(char(19), WatermarkUtc, 120) AS watermarkUtc
FROM dbo.JobWatermark
WHERE JobName = @job;`;

/** Inserts the job's row (no watermark) unless it exists, and keeps it locked for the transaction. */
export const ENSURE_WATERMARK_ROW = `INSERT INTO dbo.JobWatermark (JobName, WatermarkUtc)
SELECT @job, NULL
WHERE NOT EXISTS (SELECT 1 FROM dbo.JobWatermark WITH (UPDLOCK, HOLDLOCK) WHERE JobName = @job);`;

/** The operator's rewind: any value, NULL included. */
export const SET_WATERMARK = `UPDATE dbo.JobWatermark
SET WatermarkUtc = CONVERT(datetime2(0), @watermarkUtc, 120), UpdatedUtc = SYSUTCDATETIME()
WHERE JobName = @job;`;

/** Forward only: a later value replaces an earlier or missing one. */
export const ADVANCE_WATERMARK = `UPDATE dbo.JobWatermark
SET WatermarkUtc = CONVERT(datetime2(0), @watermarkUtc, 120), UpdatedUtc = SYSUTCDATETIME()
WHERE JobName = @job
  AND (WatermarkUtc IS NULL OR WatermarkUtc < CONVERT(datetime2(0), @watermarkUtc, 120));`;

// Ingestion: one summary window, @reports = [{ "id", "completedAtUtc" }] with distinct ids.

/** How many of the window's ids the job's ledger holds already. */
export const COUNT_PROCESSED_REPORTS = `SELECT COUNT(*) AS alreadyProcessed
FROM dbo.ProcessedItems AS p WITH (UPDLOCK, HOLDLOCK)
WHERE p.JobName = @job
  AND p.ItemKey IN (SELECT w.id FROM OPENJSON(@reports) WITH (id nvarchar(max) '$.id') AS w);`;

/**
 * Inserts the reports not stored yet and their ledger rows, and returns the inserted ids.
 * OUTPUT goes INTO a table variable because OUTPUT to the client fails on a table with triggers.
 */
export const INSERT_NEW_REPORTS = `DECLARE @ingested TABLE (GoAuditsReportId nvarchar(100) NOT NULL PRIMARY KEY);
INSERT INTO dbo.GoAuditsReports (GoAuditsReportId, CompletedAtUtc, JobRunId)
OUTPUT inserted.GoAuditsReportId INTO @ingested (GoAuditsReportId)
SELECT w.id, CONVERT(datetime2(0), w.completedAtUtc, 120), @runId
FROM OPENJSON(@reports) WITH (id nvarchar(max) '$.id', completedAtUtc nvarchar(max) '$.completedAtUtc') AS w
WHERE NOT EXISTS (SELECT 1 FROM dbo.GoAuditsReports AS r WITH (UPDLOCK, HOLDLOCK) WHERE r.GoAuditsReportId = w.id);
INSERT INTO dbo.ProcessedItems (JobName, ItemKey, RunId)
SELECT @job, i.GoAuditsReportId, @runId
FROM @ingested AS i
WHERE NOT EXISTS (
  SELECT 1 FROM dbo.ProcessedItems AS p WITH (UPDLOCK, HOLDLOCK) WHERE p.JobName = @job AND p.ItemKey = i.GoAuditsReportId
);
SELECT GoAuditsReportId FROM @ingested;`;

/** Stored reports and the days their CompletedAtUtc spans, both ends included; days is NULL when none is stored. */
export const REPORTS_AND_DAYS = `SELECT COUNT(*) AS reports,
       DATEDIFF(day, MIN(CompletedAtUtc), MAX(CompletedAtUtc)) + 1 AS days
FROM dbo.GoAuditsReports;`;

// Enrichment.

/** Today's selection rule, newest first, then by id. */
export const PENDING_ENRICHMENT = `SELECT TOP (@limit) r.GoAuditsReportId
FROM dbo.GoAuditsReports AS r
WHERE (${certificateMissing('r.CertificationNumber')}
       OR NOT EXISTS (SELECT 1 FROM dbo.GoAuditsReportAnswers AS a WHERE a.GoAuditsReportId = r.GoAuditsReportId))
  AND NOT EXISTS (SELECT 1 FROM dbo.ProcessedItems AS p WHERE p.JobName = @job AND p.ItemKey = r.GoAuditsReportId)
ORDER BY r.CompletedAtUtc DESC, r.GoAuditsReportId;`;

/** No row when the report is unknown; flags are 0 or 1. Locks the report for the transaction. */
export const REPORT_STATE = `SELECT CASE WHEN ${certificateMissing('r.CertificationNumber')} THEN 1 ELSE 0 END AS certMissing,
       CASE WHEN EXISTS (SELECT 1 FROM dbo.GoAuditsReportAnswers AS a WHERE a.GoAuditsReportId = r.GoAuditsReportId)
            THEN 1 ELSE 0 END AS hasAnswers
FROM dbo.GoAuditsReports AS r WITH (UPDLOCK, HOLDLOCK)
WHERE r.GoAuditsReportId = @reportId;`;

/** Writes a non-blank certificate number only over a missing one. */
export const FILL_CERTIFICATE = `UPDATE dbo.GoAuditsReports
SET CertificationNumber = @certificateNumber
WHERE GoAuditsReportId = @reportId
  AND ${certificateMissing('CertificationNumber')}
  AND LTRIM(RTRIM(@certificateNumber)) <> N'';`;

/**
 * Inserts the answers whose key the report has not stored, in one statement; @answers =
 * [{ "questionKey", "answerValue", "section", "questionText" }] with distinct keys. Section is
 * cut to its column's 200 characters; any other value too long for its column fails the report.
 */
export const INSERT_NEW_ANSWERS = `INSERT INTO dbo.GoAuditsReportAnswers (GoAuditsReportId, QuestionKey, AnswerValue, Section, QuestionText, JobRunId)
SELECT @reportId, j.questionKey, j.answerValue, LEFT(j.section, 200), j.questionText, @runId
FROM OPENJSON(@answers) WITH (
  questionKey  nvarchar(max) '$.questionKey',
  answerValue  nvarchar(max) '$.answerValue',
  section      nvarchar(max) '$.section',
  questionText nvarchar(max) '$.questionText'
) AS j
WHERE NOT EXISTS (
  SELECT 1 FROM dbo.GoAuditsReportAnswers AS a WITH (UPDLOCK, HOLDLOCK)
  WHERE a.GoAuditsReportId = @reportId AND a.QuestionKey = j.questionKey
);`;

/** One ledger row, unless the job has it. */
export const MARK_PROCESSED = `INSERT INTO dbo.ProcessedItems (JobName, ItemKey, RunId)
SELECT @job, @itemKey, @runId
WHERE NOT EXISTS (SELECT 1 FROM dbo.ProcessedItems WITH (UPDLOCK, HOLDLOCK) WHERE JobName = @job AND ItemKey = @itemKey);`;

// Runs.

export const START_RUN = `INSERT INTO dbo.JobRunHistory (RunId, JobName, Status, CorrelationId)
SELECT @runId, @job, N'Running', @correlationId
WHERE NOT EXISTS (SELECT 1 FROM dbo.JobRunHistory WITH (UPDLOCK, HOLDLOCK) WHERE RunId = @runId);`;

/** Only a Running row changes, so the first outcome stays. */
export const FINISH_RUN = `UPDATE dbo.JobRunHistory
SET Status = @status, Message = LEFT(@message, 4000), RunCompletedUtc = SYSUTCDATETIME()
WHERE RunId = @runId AND Status = N'Running';`;

// The GoAudits call lane (epoch milliseconds, bigint).

/**
 * Reserves one call's start in one statement: the later of @nowMs and the lane's next free
 * start, which moves @spacingMs past it. Concurrent callers queue on the row's lock, so each
 * gets its own start. OUTPUT to the client: the lane's table has no triggers.
 */
export const RESERVE_API_CALL = `UPDATE dbo.GoAuditsCallLane WITH (UPDLOCK, HOLDLOCK)
SET NextCallAtMs = CASE WHEN NextCallAtMs > @nowMs THEN NextCallAtMs ELSE @nowMs END + @spacingMs
OUTPUT inserted.NextCallAtMs - @spacingMs AS startAtMs
WHERE LaneName = N'GoAudits';`;

/** No call starts before @untilMs; forward only. */
export const HOLD_API_CALLS = `UPDATE dbo.GoAuditsCallLane
SET NextCallAtMs = @untilMs
WHERE LaneName = N'GoAudits' AND NextCallAtMs < @untilMs;`;

/** Every statement above and every migration statement, by name: what tsql-check verifies. */
export const SQLSERVER_STATEMENTS: Readonly<Record<string, string>> = {
  CREATE_SCHEMA_MIGRATIONS,
  ...Object.assign({}, ...SQLSERVER_MIGRATIONS.map((migration) => migration.statements)),
  APPLIED_MIGRATIONS,
  LOCK_SCHEMA,
  RECORD_MIGRATION,
  READ_WATERMARK,
  ENSURE_WATERMARK_ROW,
  SET_WATERMARK,
  ADVANCE_WATERMARK,
  COUNT_PROCESSED_REPORTS,
  INSERT_NEW_REPORTS,
  REPORTS_AND_DAYS,
  PENDING_ENRICHMENT,
  REPORT_STATE,
  FILL_CERTIFICATE,
  INSERT_NEW_ANSWERS,
  MARK_PROCESSED,
  START_RUN,
  FINISH_RUN,
  RESERVE_API_CALL,
  HOLD_API_CALLS,
};
