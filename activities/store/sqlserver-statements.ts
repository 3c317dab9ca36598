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

/** An "empty certificate number": NULL or only spaces. */
const certificateMissing = (column: string) => `(${column} IS NULL OR LTRIM(RTRIM(${column})) = N'')`;

/**
 * The report (its id in `idColumn`) has a refresh request: its details are to be fetched again.
 * `hint` a table hint for the versions read, such as WITH (READCOMMITTEDLOCK).
 */
const refreshRequested = (idColumn: string, hint = '') => `EXISTS (SELECT 1 FROM dbo.GoAuditsReportVersions AS v${hint}
                  WHERE v.GoAuditsReportId = ${idColumn} AND v.RefreshRequestedUtc IS NOT NULL)`;

/**
 * `left <> right` exactly, as the SQLite store compares text: by the UTF-16 bytes, so case and
 * trailing spaces count (the database's collation would ignore trailing spaces, often case too;
 * a binary comparison ignores only trailing zero bytes, i.e. trailing NUL characters). The first
 * 8000 bytes (4000 characters) are compared: far more than the columns compared hold. Unknown
 * (not true) when either is NULL.
 */
const differs = (left: string, right: string) => `CONVERT(varbinary(8000), ${left}) <> CONVERT(varbinary(8000), ${right})`;

// Schema bookkeeping (migrate).

/** The applied versions; no rows (and no result set) before the first migration. */
export const APPLIED_MIGRATIONS = `IF OBJECT_ID(N'dbo.SchemaMigrations', N'U') IS NOT NULL
SELECT Version FROM dbo.SchemaMigrations;`;

/**
 * How long a migration waits for another's schema lock: well below the request timeout (60 s),
 * so a waiting worker hears "not granted" from the server instead of timing the request out.
 */
export const SCHEMA_LOCK_TIMEOUT_MS = 30_000;

/** Makes concurrent migrations take turns until their transaction ends; @locked < 0: not granted. */
export const LOCK_SCHEMA = `EXEC @locked = sp_getapplock @Resource = N'GoAuditsSchemaMigrations', @LockMode = N'Exclusive',
  @LockOwner = N'Transaction', @LockTimeout = ${SCHEMA_LOCK_TIMEOUT_MS};`;

/** The database's name and compatibility level: the store's statements read JSON with OPENJSON, which needs 130 or later. */
export const DATABASE_COMPATIBILITY = `SELECT d.name AS databaseName, d.compatibility_level AS compatibilityLevel
FROM sys.databases AS d
WHERE d.database_id = DB_ID();`;

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

// Ingestion: one summary window, @reports = [{ "id", "completedAtUtc", "summaryFingerprint" }] with distinct ids.

/** How many of the window's ids the job's ledger holds already. */
export const COUNT_PROCESSED_REPORTS = `SELECT COUNT(*) AS alreadyProcessed
FROM dbo.ProcessedItems AS p WITH (UPDLOCK, HOLDLOCK)
WHERE p.JobName = @job
  AND p.ItemKey IN (SELECT w.id FROM OPENJSON(@reports) WITH (id nvarchar(100) '$.id') AS w);`;

/**
 * The window's reports stored already (run before INSERT_NEW_REPORTS, whose reports it leaves
 * alone): CompletedAtUtc moves forward to the summary's time when that is later (never back);
 * the fingerprint seen now replaces the stored one; a refresh is asked for, as of now, when
 * CompletedAtUtc moved, the stored fingerprint (when there is one) differs, or @refreshStored = 1.
 * A report with no version row (stored before fingerprints were kept) gets one. Returns the
 * reports asked to refresh, in no order. HOLDLOCK keeps the reports and version rows read (and
 * the missing keys' ranges) locked until the transaction ends, so a concurrent window waits.
 */
export const SEE_STORED_REPORTS_AGAIN = `DECLARE @seen TABLE (
  reportId    nvarchar(100) NOT NULL,
  completedAt datetime2(0)  NOT NULL,
  fingerprint nvarchar(max) NULL,
  moved       bit           NOT NULL,
  refresh     bit           NOT NULL
);
INSERT INTO @seen (reportId, completedAt, fingerprint, moved, refresh)
SELECT r.GoAuditsReportId, t.completedAt, w.summaryFingerprint, m.moved,
       CASE WHEN @refreshStored = 1 OR m.moved = 1 OR ${differs('v.SummaryFingerprint', 'w.summaryFingerprint')}
            THEN 1 ELSE 0 END
FROM OPENJSON(@reports) WITH (
  id                 nvarchar(100) '$.id',
  completedAtUtc     nvarchar(max) '$.completedAtUtc',
  summaryFingerprint nvarchar(max) '$.summaryFingerprint'
) AS w
JOIN dbo.GoAuditsReports AS r WITH (UPDLOCK, HOLDLOCK) ON r.GoAuditsReportId = w.id
LEFT JOIN dbo.GoAuditsReportVersions AS v WITH (UPDLOCK, HOLDLOCK) ON v.GoAuditsReportId = r.GoAuditsReportId
CROSS APPLY (SELECT CONVERT(datetime2(0), w.completedAtUtc, 120) AS completedAt) AS t
CROSS APPLY (SELECT CASE WHEN t.completedAt > r.CompletedAtUtc THEN 1 ELSE 0 END AS moved) AS m;
UPDATE r
SET CompletedAtUtc = s.completedAt
FROM dbo.GoAuditsReports AS r
JOIN @seen AS s ON s.reportId = r.GoAuditsReportId
WHERE s.moved = 1;
UPDATE v
SET SummaryFingerprint = s.fingerprint,
    RefreshRequestedUtc = CASE WHEN s.refresh = 1 THEN SYSUTCDATETIME() ELSE v.RefreshRequestedUtc END
FROM dbo.GoAuditsReportVersions AS v
JOIN @seen AS s ON s.reportId = v.GoAuditsReportId;
INSERT INTO dbo.GoAuditsReportVersions (GoAuditsReportId, SummaryFingerprint, RefreshRequestedUtc)
SELECT s.reportId, s.fingerprint, CASE WHEN s.refresh = 1 THEN SYSUTCDATETIME() END
FROM @seen AS s
WHERE NOT EXISTS (
  SELECT 1 FROM dbo.GoAuditsReportVersions AS v WITH (UPDLOCK, HOLDLOCK) WHERE v.GoAuditsReportId = s.reportId
);
SELECT s.reportId FROM @seen AS s WHERE s.refresh = 1;`;

/**
 * Inserts the reports not stored yet, their ledger rows and their fingerprints (no refresh
 * request; a version row left from an earlier life of the id takes the fingerprint and keeps its
 * request), and returns the inserted ids.
 * OUTPUT goes INTO a table variable because OUTPUT to the client fails on a table with triggers.
 */
export const INSERT_NEW_REPORTS = `DECLARE @ingested TABLE (GoAuditsReportId nvarchar(100) NOT NULL PRIMARY KEY);
INSERT INTO dbo.GoAuditsReports (GoAuditsReportId, CompletedAtUtc, JobRunId)
OUTPUT inserted.GoAuditsReportId INTO @ingested (GoAuditsReportId)
SELECT w.id, CONVERT(datetime2(0), w.completedAtUtc, 120), @runId
FROM OPENJSON(@reports) WITH (id nvarchar(100) '$.id', completedAtUtc nvarchar(max) '$.completedAtUtc') AS w
WHERE NOT EXISTS (SELECT 1 FROM dbo.GoAuditsReports AS r WITH (UPDLOCK, HOLDLOCK) WHERE r.GoAuditsReportId = w.id);
INSERT INTO dbo.ProcessedItems (JobName, ItemKey, RunId)
SELECT @job, i.GoAuditsReportId, @runId
FROM @ingested AS i
WHERE NOT EXISTS (
  SELECT 1 FROM dbo.ProcessedItems AS p WITH (UPDLOCK, HOLDLOCK) WHERE p.JobName = @job AND p.ItemKey = i.GoAuditsReportId
);
UPDATE v
SET SummaryFingerprint = w.summaryFingerprint
FROM dbo.GoAuditsReportVersions AS v
JOIN @ingested AS i ON i.GoAuditsReportId = v.GoAuditsReportId
JOIN OPENJSON(@reports) WITH (id nvarchar(100) '$.id', summaryFingerprint nvarchar(max) '$.summaryFingerprint') AS w
  ON w.id = i.GoAuditsReportId;
INSERT INTO dbo.GoAuditsReportVersions (GoAuditsReportId, SummaryFingerprint)
SELECT i.GoAuditsReportId, w.summaryFingerprint
FROM @ingested AS i
JOIN OPENJSON(@reports) WITH (id nvarchar(100) '$.id', summaryFingerprint nvarchar(max) '$.summaryFingerprint') AS w
  ON w.id = i.GoAuditsReportId
WHERE NOT EXISTS (
  SELECT 1 FROM dbo.GoAuditsReportVersions AS v WITH (UPDLOCK, HOLDLOCK) WHERE v.GoAuditsReportId = i.GoAuditsReportId
);
SELECT GoAuditsReportId FROM @ingested;`;

/** Stored reports whose CompletedAtUtc falls on the days @fromDay..@toDay ('YYYY-MM-DD', style 23), both included. */
export const STORED_REPORTS_IN = `SELECT COUNT(*) AS reports
FROM dbo.GoAuditsReports AS r
WHERE CONVERT(date, r.CompletedAtUtc) BETWEEN CONVERT(date, @fromDay, 23) AND CONVERT(date, @toDay, 23);`;

/** Stored reports and the days their CompletedAtUtc spans, both ends included; days is NULL when none is stored. */
export const REPORTS_AND_DAYS = `SELECT COUNT(*) AS reports,
       DATEDIFF(day, MIN(CompletedAtUtc), MAX(CompletedAtUtc)) + 1 AS days
FROM dbo.GoAuditsReports;`;

// Enrichment.

/**
 * The selection rule (see Store.pendingEnrichment), newest first, then by id;
 * quarantined reports and reports a run holds an unexpired claim on are skipped.
 */
export const PENDING_ENRICHMENT = `SELECT TOP (@limit) r.GoAuditsReportId
FROM dbo.GoAuditsReports AS r
WHERE ((${certificateMissing('r.CertificationNumber')}
        OR NOT EXISTS (SELECT 1 FROM dbo.GoAuditsReportAnswers AS a WHERE a.GoAuditsReportId = r.GoAuditsReportId))
       AND NOT EXISTS (SELECT 1 FROM dbo.ProcessedItems AS p WHERE p.JobName = @job AND p.ItemKey = r.GoAuditsReportId)
       OR ${refreshRequested('r.GoAuditsReportId')})
  AND NOT EXISTS (SELECT 1 FROM dbo.GoAuditsEnrichmentFailures AS f
                  WHERE f.GoAuditsReportId = r.GoAuditsReportId AND f.QuarantinedUtc IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM dbo.GoAuditsEnrichmentClaims AS c
                  WHERE c.GoAuditsReportId = r.GoAuditsReportId AND c.ClaimedUntilUtc > SYSUTCDATETIME())
ORDER BY r.CompletedAtUtc DESC, r.GoAuditsReportId;`;

/**
 * No row when the report is unknown; flags are 0 or 1. First locks the report for the
 * transaction (every writer of its answers, its ledger row and its details holds this lock),
 * then reads its state in a second statement: under read-committed snapshot (Azure SQL's
 * default) a statement reads the rows as they were when it started, so a read in the locking
 * statement itself could show answers or a refresh request from before its wait for the lock.
 * The answers and versions reads are locking reads besides (READCOMMITTEDLOCK): the latest
 * committed rows, whatever the database's snapshot setting.
 */
export const REPORT_STATE = `DECLARE @lockedReports int;
SELECT @lockedReports = COUNT(*) FROM dbo.GoAuditsReports WITH (UPDLOCK, HOLDLOCK) WHERE GoAuditsReportId = @reportId;
SELECT CASE WHEN ${certificateMissing('r.CertificationNumber')} THEN 1 ELSE 0 END AS certMissing,
       CASE WHEN EXISTS (SELECT 1 FROM dbo.GoAuditsReportAnswers AS a WITH (READCOMMITTEDLOCK)
                         WHERE a.GoAuditsReportId = r.GoAuditsReportId)
            THEN 1 ELSE 0 END AS hasAnswers,
       CASE WHEN ${refreshRequested('r.GoAuditsReportId', ' WITH (READCOMMITTEDLOCK)')} THEN 1 ELSE 0 END AS refreshRequested
FROM dbo.GoAuditsReports AS r WITH (READCOMMITTEDLOCK)
WHERE r.GoAuditsReportId = @reportId;`;

/** Writes a non-blank certificate number only over a missing one. */
export const FILL_CERTIFICATE = `UPDATE dbo.GoAuditsReports
SET CertificationNumber = @certificateNumber
WHERE GoAuditsReportId = @reportId
  AND ${certificateMissing('CertificationNumber')}
  AND LTRIM(RTRIM(@certificateNumber)) <> N'';`;

/** A refresh's certificate: the given one, unless blank, over whatever is stored; 1 row when it changed. */
export const REPLACE_CERTIFICATE = `UPDATE dbo.GoAuditsReports
SET CertificationNumber = @certificateNumber
WHERE GoAuditsReportId = @reportId
  AND LTRIM(RTRIM(@certificateNumber)) <> N''
  AND (CertificationNumber IS NULL OR ${differs('CertificationNumber', '@certificateNumber')});`;

/** A refresh drops the report's stored answers before INSERT_NEW_ANSWERS writes the given ones. */
export const REMOVE_ANSWERS = `DELETE FROM dbo.GoAuditsReportAnswers
WHERE GoAuditsReportId = @reportId;`;

/**
 * Lifts the report's refresh request when it is older than @runId's claim on the report: an
 * edit seen after the claim keeps its request, for the next run. No claim of @runId's (or one
 * taken before ClaimedUtc was kept, NULL) lifts nothing.
 */
export const LIFT_REFRESH_REQUEST = `UPDATE dbo.GoAuditsReportVersions
SET RefreshRequestedUtc = NULL
WHERE GoAuditsReportId = @reportId
  AND RefreshRequestedUtc < (SELECT c.ClaimedUtc FROM dbo.GoAuditsEnrichmentClaims AS c
                             WHERE c.GoAuditsReportId = @reportId AND c.RunId = @runId);`;

/**
 * Inserts the answers whose key the report has not stored, in one statement; @answers =
 * [{ "position", "questionKey", "answerValue", "section", "questionText" }], keys distinct as
 * collation-key.ts compares them. Keys the column's collation still compares as one (kana,
 * ignorable characters) keep the first by position, as the store keeps the first of a key,
 * instead of failing the report with a duplicate key (2627). Section is cut to its column's 200
 * characters; any other value too long for its column fails the report.
 * No lock hint: REPORT_STATE's lock on the report serialises every writer of its answers.
 */
export const INSERT_NEW_ANSWERS = `INSERT INTO dbo.GoAuditsReportAnswers (GoAuditsReportId, QuestionKey, AnswerValue, Section, QuestionText, JobRunId)
SELECT @reportId, j.questionKey, j.answerValue, LEFT(j.section, 200), j.questionText, @runId
FROM (
  SELECT g.questionKey, g.answerValue, g.section, g.questionText,
         ROW_NUMBER() OVER (PARTITION BY g.questionKey ORDER BY g.position) AS keyOrder
  FROM OPENJSON(@answers) WITH (
    position     int           '$.position',
    questionKey  nvarchar(256) '$.questionKey',
    answerValue  nvarchar(max) '$.answerValue',
    section      nvarchar(max) '$.section',
    questionText nvarchar(max) '$.questionText'
  ) AS g
) AS j
WHERE j.keyOrder = 1
  AND NOT EXISTS (
    SELECT 1 FROM dbo.GoAuditsReportAnswers AS a
    WHERE a.GoAuditsReportId = @reportId AND a.QuestionKey = j.questionKey
  );`;

/** One ledger row, unless the job has it. No lock hint: REPORT_STATE's lock on the report serialises its writers. */
export const MARK_PROCESSED = `INSERT INTO dbo.ProcessedItems (JobName, ItemKey, RunId)
SELECT @job, @itemKey, @runId
WHERE NOT EXISTS (SELECT 1 FROM dbo.ProcessedItems WHERE JobName = @job AND ItemKey = @itemKey);`;

/** A report enriched at last: its failures are forgotten. */
export const FORGET_ENRICHMENT_FAILURES = `DELETE FROM dbo.GoAuditsEnrichmentFailures
WHERE GoAuditsReportId = @reportId;`;

// Enrichment failures and the quarantine. OUTPUT to the client: the failures' table has no triggers.

/**
 * 1, or 0 when the row's last failure was counted by the call @attemptId: a call retried after
 * its commit's answer was lost (ESOCKET) counts its failure once.
 */
const countedOnce = 'CASE WHEN LastAttemptId = @attemptId THEN 0 ELSE 1 END';

/**
 * One more failure of a report that has failed before, with its error (cut to the column's 1000
 * characters), unless this call (@attemptId) counted it already; quarantined, once, when the
 * failures reach @quarantineAfter. No row when the report has not failed before: then
 * RECORD_FIRST_ENRICHMENT_FAILURE, in the same transaction, where HOLDLOCK keeps the missing
 * key's range locked, so two workers recording the same report at once take turns (the second
 * counts on the first's row) instead of both inserting.
 */
export const RECORD_ENRICHMENT_FAILURE = `UPDATE dbo.GoAuditsEnrichmentFailures WITH (UPDLOCK, HOLDLOCK)
SET Failures = Failures + ${countedOnce},
    LastError = LEFT(@error, 1000),
    LastFailedUtc = SYSUTCDATETIME(),
    QuarantinedUtc = COALESCE(QuarantinedUtc, CASE WHEN Failures + ${countedOnce} >= @quarantineAfter THEN SYSUTCDATETIME() END),
    LastAttemptId = @attemptId
OUTPUT inserted.Failures AS failures, CASE WHEN inserted.QuarantinedUtc IS NULL THEN 0 ELSE 1 END AS quarantined
WHERE GoAuditsReportId = @reportId;`;

/** A report's first failure, after RECORD_ENRICHMENT_FAILURE found no row (and locked its key). */
export const RECORD_FIRST_ENRICHMENT_FAILURE = `INSERT INTO dbo.GoAuditsEnrichmentFailures
  (GoAuditsReportId, Failures, LastError, LastFailedUtc, QuarantinedUtc, LastAttemptId)
OUTPUT inserted.Failures AS failures, CASE WHEN inserted.QuarantinedUtc IS NULL THEN 0 ELSE 1 END AS quarantined
VALUES (@reportId, 1, LEFT(@error, 1000), SYSUTCDATETIME(), CASE WHEN @quarantineAfter <= 1 THEN SYSUTCDATETIME() END, @attemptId);`;

/** Quarantined reports, latest failure first, then by id; LastFailedUtc as style-120 text. */
export const QUARANTINED_REPORTS = `SELECT TOP (@limit) f.GoAuditsReportId AS reportId, f.Failures AS failures, f.LastError AS lastError,
       CONVERT(char(19), f.LastFailedUtc, 120) AS lastFailedUtc
FROM dbo.GoAuditsEnrichmentFailures AS f
WHERE f.QuarantinedUtc IS NOT NULL
ORDER BY f.LastFailedUtc DESC, f.GoAuditsReportId;`;

/** Forgets the failures of every quarantined report, so sweeps take them again. */
export const REQUEUE_ALL_QUARANTINED = `DELETE FROM dbo.GoAuditsEnrichmentFailures
WHERE QuarantinedUtc IS NOT NULL;`;

/** The same for the quarantined reports among @reportIds = ["id", ...]; other ids change nothing. */
export const REQUEUE_QUARANTINED = `DELETE FROM dbo.GoAuditsEnrichmentFailures
WHERE QuarantinedUtc IS NOT NULL
  AND GoAuditsReportId IN (SELECT j.reportId FROM OPENJSON(@reportIds) WITH (reportId nvarchar(100) '$') AS j);`;

// Enrichment claims: which run enriches a report, until when. @reportIds = ["id", ...];
// @untilUtc is style-120 text. OUTPUT to the client: the claims' table has no triggers.

/**
 * Claims, until @untilUtc and as of now (ClaimedUtc), those of @reportIds not yet in the
 * enrichment ledger, or with a refresh request, or any with @anyState = 1 (a reconcile's details
 * check), whose claim @runId holds already (a renewal) or has expired, and returns them. Its HOLDLOCK keeps the keys it read, and the ranges of those it
 * found missing, locked until the transaction ends: two workers claiming the same reports at once
 * take turns, and the second finds the first's unexpired claims. The reports with no claim row
 * follow with CLAIM_UNCLAIMED_REPORTS, in the same transaction.
 */
export const CLAIM_REPORTS = `UPDATE dbo.GoAuditsEnrichmentClaims WITH (UPDLOCK, HOLDLOCK)
SET RunId = @runId, ClaimedUntilUtc = CONVERT(datetime2(0), @untilUtc, 120), ClaimedUtc = SYSUTCDATETIME()
OUTPUT inserted.GoAuditsReportId AS reportId
WHERE GoAuditsReportId IN (SELECT j.reportId FROM OPENJSON(@reportIds) WITH (reportId nvarchar(100) '$') AS j)
  AND (RunId = @runId OR ClaimedUntilUtc <= SYSUTCDATETIME())
  AND (@anyState = 1
       OR NOT EXISTS (SELECT 1 FROM dbo.ProcessedItems AS p
                   WHERE p.JobName = @job AND p.ItemKey = dbo.GoAuditsEnrichmentClaims.GoAuditsReportId)
       OR ${refreshRequested('dbo.GoAuditsEnrichmentClaims.GoAuditsReportId')});`;

/**
 * Claims, as of now, the reports of @reportIds not yet enriched, or with a refresh request, or
 * any with @anyState = 1, that have no claim row (after CLAIM_REPORTS), and returns them.
 */
export const CLAIM_UNCLAIMED_REPORTS = `INSERT INTO dbo.GoAuditsEnrichmentClaims (GoAuditsReportId, RunId, ClaimedUntilUtc, ClaimedUtc)
OUTPUT inserted.GoAuditsReportId AS reportId
SELECT DISTINCT j.reportId, @runId, CONVERT(datetime2(0), @untilUtc, 120), SYSUTCDATETIME()
FROM OPENJSON(@reportIds) WITH (reportId nvarchar(100) '$') AS j
WHERE NOT EXISTS (
  SELECT 1 FROM dbo.GoAuditsEnrichmentClaims AS c WITH (UPDLOCK, HOLDLOCK) WHERE c.GoAuditsReportId = j.reportId
)
  AND (@anyState = 1
       OR NOT EXISTS (SELECT 1 FROM dbo.ProcessedItems AS p WHERE p.JobName = @job AND p.ItemKey = j.reportId)
       OR ${refreshRequested('j.reportId')});`;

/** Drops @runId's claims on the reports of @reportIds; other runs' claims stay. */
export const RELEASE_REPORTS = `DELETE FROM dbo.GoAuditsEnrichmentClaims
WHERE RunId = @runId
  AND GoAuditsReportId IN (SELECT j.reportId FROM OPENJSON(@reportIds) WITH (reportId nvarchar(100) '$') AS j);`;

// Reconcile: what the store holds of reports, compared with GoAudits, and its repairs.
// @ingestionJob and @enrichmentJob name the ledgers; @reportIds = ["id", ...].

/** Of the ids in @reportIds, as a subquery. */
const listedIds = `(SELECT j.reportId FROM OPENJSON(@reportIds) WITH (reportId nvarchar(max) '$') AS j)`;

/** What the store holds of each report `r` matching `where` (HeldReportRow: flags 0 or 1, CompletedAtUtc as style-120 text). */
const heldReports = (where: string) => `SELECT r.GoAuditsReportId AS reportId, CONVERT(char(19), r.CompletedAtUtc, 120) AS completedAt,
       v.SummaryFingerprint AS summaryFingerprint,
       (SELECT COUNT(*) FROM dbo.GoAuditsReportAnswers AS a WHERE a.GoAuditsReportId = r.GoAuditsReportId) AS answers,
       r.CertificationNumber AS certificateNumber,
       CASE WHEN EXISTS (SELECT 1 FROM dbo.GoAuditsEnrichmentFailures AS f
                         WHERE f.GoAuditsReportId = r.GoAuditsReportId AND f.QuarantinedUtc IS NOT NULL)
            THEN 1 ELSE 0 END AS quarantined,
       CASE WHEN v.RefreshRequestedUtc IS NULL THEN 0 ELSE 1 END AS refreshRequested,
       CASE WHEN EXISTS (SELECT 1 FROM dbo.ProcessedItems AS p WHERE p.JobName = @ingestionJob AND p.ItemKey = r.GoAuditsReportId)
            THEN 1 ELSE 0 END AS ingestionLedger,
       CASE WHEN EXISTS (SELECT 1 FROM dbo.ProcessedItems AS p WHERE p.JobName = @enrichmentJob AND p.ItemKey = r.GoAuditsReportId)
            THEN 1 ELSE 0 END AS enrichmentLedger
FROM dbo.GoAuditsReports AS r
LEFT JOIN dbo.GoAuditsReportVersions AS v ON v.GoAuditsReportId = r.GoAuditsReportId
WHERE ${where};`;

/** The reports whose CompletedAtUtc falls on the days @fromDay..@toDay ('YYYY-MM-DD', style 23), both included. */
export const HELD_REPORTS_ON = heldReports(
  'CONVERT(date, r.CompletedAtUtc) BETWEEN CONVERT(date, @fromDay, 23) AND CONVERT(date, @toDay, 23)',
);

/** The stored reports among @reportIds. */
export const HELD_REPORTS = heldReports(`r.GoAuditsReportId IN ${listedIds}`);

/** Of @reportIds, those with a ledger row (either job) but no report row. */
export const LEDGER_ONLY_REPORTS = `SELECT DISTINCT p.ItemKey AS reportId
FROM dbo.ProcessedItems AS p
WHERE p.JobName IN (@ingestionJob, @enrichmentJob)
  AND p.ItemKey IN ${listedIds}
  AND NOT EXISTS (SELECT 1 FROM dbo.GoAuditsReports AS r WHERE r.GoAuditsReportId = p.ItemKey);`;

/** The report's certificate number; no row when it is not stored. */
export const STORED_CERTIFICATE = `SELECT r.CertificationNumber AS certificateNumber
FROM dbo.GoAuditsReports AS r
WHERE r.GoAuditsReportId = @reportId;`;

/** The report's answers, in no order. */
export const STORED_ANSWERS = `SELECT a.QuestionKey AS questionKey, a.AnswerValue AS answerValue, a.Section AS section, a.QuestionText AS questionText
FROM dbo.GoAuditsReportAnswers AS a
WHERE a.GoAuditsReportId = @reportId;`;

/**
 * (Re)asks, as of now, for a refresh of the stored reports among @reportIds, as an edit seen in
 * the summary does (SEE_STORED_REPORTS_AGAIN); a report with no version row gets one, with no
 * fingerprint (the next summary's is adopted silently). Returns how many stored reports got a
 * request. HOLDLOCK keeps the reports read and the version keys found missing locked until the
 * transaction ends.
 */
export const REQUEST_REFRESH = `DECLARE @stored TABLE (reportId nvarchar(100) NOT NULL PRIMARY KEY);
INSERT INTO @stored (reportId)
SELECT r.GoAuditsReportId
FROM dbo.GoAuditsReports AS r WITH (UPDLOCK, HOLDLOCK)
WHERE r.GoAuditsReportId IN ${listedIds};
UPDATE v
SET RefreshRequestedUtc = SYSUTCDATETIME()
FROM dbo.GoAuditsReportVersions AS v
JOIN @stored AS s ON s.reportId = v.GoAuditsReportId;
INSERT INTO dbo.GoAuditsReportVersions (GoAuditsReportId, SummaryFingerprint, RefreshRequestedUtc)
SELECT s.reportId, NULL, SYSUTCDATETIME()
FROM @stored AS s
WHERE NOT EXISTS (
  SELECT 1 FROM dbo.GoAuditsReportVersions AS v WITH (UPDLOCK, HOLDLOCK) WHERE v.GoAuditsReportId = s.reportId
);
SELECT COUNT(*) AS requested FROM @stored;`;

/**
 * Drops the ledger rows (both jobs) of the ids in @reportIds that have no report row, so the
 * next summary window stores them again; returns how many ids had rows dropped. HOLDLOCK keeps
 * the missing reports' keys locked, so a window storing one of them meanwhile waits.
 */
export const FORGET_LEDGER_OF_MISSING = `DECLARE @forgotten TABLE (reportId nvarchar(200) NOT NULL);
DELETE FROM dbo.ProcessedItems
OUTPUT deleted.ItemKey INTO @forgotten (reportId)
WHERE JobName IN (@ingestionJob, @enrichmentJob)
  AND ItemKey IN ${listedIds}
  AND NOT EXISTS (SELECT 1 FROM dbo.GoAuditsReports AS r WITH (UPDLOCK, HOLDLOCK) WHERE r.GoAuditsReportId = dbo.ProcessedItems.ItemKey);
SELECT COUNT(DISTINCT f.reportId) AS forgotten FROM @forgotten AS f;`;

/**
 * Deletes the report @reportId gone from GoAudits, unless a run other than @runId holds an
 * unexpired claim on it: copies it to GoAuditsDeletedReports (as of now, by @runId, with its
 * answer count), then deletes its answers, report row, ledger rows (both jobs), version row,
 * failures and claims. Returns 1 when the report is deleted by @runId, now or by an earlier call
 * (a retry); 0 when another run holds it, or it is not stored and @runId did not delete it.
 * HOLDLOCK keeps the report, its answers and its claim key locked until the transaction ends,
 * so a run cannot claim it meanwhile.
 */
export const DELETE_GONE_REPORT = `DECLARE @archived TABLE (reportId nvarchar(100) NOT NULL);
INSERT INTO dbo.GoAuditsDeletedReports (GoAuditsReportId, CompletedAtUtc, CertificationNumber, Answers, DeletedUtc, DeletedByRunId)
OUTPUT inserted.GoAuditsReportId INTO @archived (reportId)
SELECT r.GoAuditsReportId, r.CompletedAtUtc, r.CertificationNumber,
       (SELECT COUNT(*) FROM dbo.GoAuditsReportAnswers AS a WITH (UPDLOCK, HOLDLOCK) WHERE a.GoAuditsReportId = r.GoAuditsReportId),
       SYSUTCDATETIME(), @runId
FROM dbo.GoAuditsReports AS r WITH (UPDLOCK, HOLDLOCK)
WHERE r.GoAuditsReportId = @reportId
  AND NOT EXISTS (SELECT 1 FROM dbo.GoAuditsEnrichmentClaims AS c WITH (UPDLOCK, HOLDLOCK)
                  WHERE c.GoAuditsReportId = @reportId AND c.RunId <> @runId AND c.ClaimedUntilUtc > SYSUTCDATETIME());
IF EXISTS (SELECT 1 FROM @archived)
BEGIN
  DELETE FROM dbo.GoAuditsReportAnswers WHERE GoAuditsReportId = @reportId;
  DELETE FROM dbo.GoAuditsReports WHERE GoAuditsReportId = @reportId;
  DELETE FROM dbo.ProcessedItems WHERE JobName IN (@ingestionJob, @enrichmentJob) AND ItemKey = @reportId;
  DELETE FROM dbo.GoAuditsReportVersions WHERE GoAuditsReportId = @reportId;
  DELETE FROM dbo.GoAuditsEnrichmentFailures WHERE GoAuditsReportId = @reportId;
  DELETE FROM dbo.GoAuditsEnrichmentClaims WHERE GoAuditsReportId = @reportId;
END;
SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM dbo.GoAuditsReports AS r WHERE r.GoAuditsReportId = @reportId)
             AND EXISTS (SELECT 1 FROM dbo.GoAuditsDeletedReports AS d
                         WHERE d.GoAuditsReportId = @reportId AND d.DeletedByRunId = @runId)
            THEN 1 ELSE 0 END AS deleted;`;

/** The latest deletions first, then by id; times as style-120 text, the run id in lower case. */
export const DELETED_REPORTS = `SELECT TOP (@limit) d.GoAuditsReportId AS reportId, CONVERT(char(19), d.CompletedAtUtc, 120) AS completedAt,
       CONVERT(char(19), d.DeletedUtc, 120) AS deletedUtc, LOWER(CONVERT(char(36), d.DeletedByRunId)) AS deletedByRunId,
       d.Answers AS answers
FROM dbo.GoAuditsDeletedReports AS d
ORDER BY d.DeletedUtc DESC, d.GoAuditsReportId;`;

// Runs.

export const START_RUN = `INSERT INTO dbo.JobRunHistory (RunId, JobName, Status, CorrelationId)
SELECT @runId, @job, N'Running', @correlationId
WHERE NOT EXISTS (SELECT 1 FROM dbo.JobRunHistory WITH (UPDLOCK, HOLDLOCK) WHERE RunId = @runId);`;

/** The job's Running rows (the runbook's index leads with JobName). */
export const OPEN_RUNS = `SELECT LOWER(CONVERT(char(36), h.RunId)) AS runId, h.CorrelationId AS correlationId
FROM dbo.JobRunHistory AS h
WHERE h.JobName = @job AND h.Status = N'Running'
ORDER BY h.RunStartedUtc, h.RunId;`;

// Missed summary days: @day, @startDate and @endDate are 'YYYY-MM-DD' text (style 23).

/**
 * One more failure of a summary day that has failed before, with its error (cut to the column's
 * 1000 characters), unless this call (@attemptId) counted it already. No row when the day has
 * not failed before: then RECORD_FIRST_MISSED_DAY, in the same transaction, where HOLDLOCK keeps
 * the missing key's range locked, so two workers recording the same day at once take turns (the
 * second counts on the first's row) instead of both inserting.
 */
export const RECORD_MISSED_DAY = `UPDATE dbo.GoAuditsMissedDays WITH (UPDLOCK, HOLDLOCK)
SET Failures = Failures + ${countedOnce},
    LastError = LEFT(@error, 1000),
    LastFailedUtc = SYSUTCDATETIME(),
    LastAttemptId = @attemptId
WHERE SummaryDay = CONVERT(date, @day, 23);`;

/** A day's first failure, after RECORD_MISSED_DAY found no row (and locked its key). */
export const RECORD_FIRST_MISSED_DAY = `INSERT INTO dbo.GoAuditsMissedDays (SummaryDay, Failures, LastError, LastFailedUtc, LastAttemptId)
VALUES (CONVERT(date, @day, 23), 1, LEFT(@error, 1000), SYSUTCDATETIME(), @attemptId);`;

/** The missed days, oldest first; the day as style-23 text, LastFailedUtc as style-120 text. */
export const MISSED_DAYS = `SELECT CONVERT(char(10), m.SummaryDay, 23) AS day, m.Failures AS failures, m.LastError AS lastError,
       CONVERT(char(19), m.LastFailedUtc, 120) AS lastFailedUtc
FROM dbo.GoAuditsMissedDays AS m
ORDER BY m.SummaryDay;`;

/** Forgets the missed days from @startDate to @endDate, both included (a window over them went through). */
export const FORGET_MISSED_DAYS = `DELETE FROM dbo.GoAuditsMissedDays
WHERE SummaryDay BETWEEN CONVERT(date, @startDate, 23) AND CONVERT(date, @endDate, 23);`;

/** Only a Running row changes, so the first outcome stays. */
export const FINISH_RUN = `UPDATE dbo.JobRunHistory
SET Status = @status, Message = LEFT(@message, 4000), RunCompletedUtc = SYSUTCDATETIME()
WHERE RunId = @runId AND Status = N'Running';`;

// The GoAudits call lane (epoch milliseconds, bigint).

/**
 * One turn in the lane (the rule of decideLaneTurn in lane-turn.ts, which the SQLite store
 * applies), in one round trip: under the lane row's lock, forgets expired waiters, counts the
 * waiters of a better priority and those before this one, reads the run's calls of the day,
 * then grants a start (moving the lane, counting the call, dropping the waiter), registers or
 * renews the waiter, or refuses for budget. One row: what the caller needs in every case.
 */
export const TAKE_LANE_TURN = `SET XACT_ABORT ON;
BEGIN TRANSACTION;
DECLARE @next bigint;
DECLARE @held bigint;
DECLARE @longRunNext bigint;
DECLARE @othersUntil bigint;
DECLARE @refused char(64);
SELECT @next = l.NextCallAtMs, @held = l.HeldUntilMs, @longRunNext = l.LongRunNextAtMs,
  @othersUntil = l.OthersActiveUntilMs, @refused = l.RefusedToken
FROM dbo.GoAuditsCallLane AS l WITH (UPDLOCK, HOLDLOCK) WHERE l.LaneName = N'GoAudits';
DELETE FROM dbo.GoAuditsLaneWaiters WHERE ExpiresAtMs <= @nowMs;
DECLARE @queuedAt bigint = COALESCE((SELECT w.QueuedAtMs FROM dbo.GoAuditsLaneWaiters AS w WHERE w.WaiterId = @waiterId), @nowMs);
DECLARE @better int;
DECLARE @ahead int;
SELECT @better = COUNT(CASE WHEN w.Priority < @priority THEN 1 END),
  @ahead = COUNT(CASE WHEN w.Priority < @priority OR (w.Priority = @priority AND (w.QueuedAtMs < @queuedAt
    OR (w.QueuedAtMs = @queuedAt AND w.WaiterId < @waiterId))) THEN 1 END)
FROM dbo.GoAuditsLaneWaiters AS w WHERE w.WaiterId <> @waiterId;
DECLARE @calls int = COALESCE((SELECT b.Calls FROM dbo.GoAuditsCallBudgets AS b WHERE b.RunKey = @runKey AND b.BudgetDay = @day), 0);
DECLARE @earliest bigint = CASE WHEN @longRun = 1 AND @othersUntil > @nowMs AND @longRunNext > @next THEN @longRunNext ELSE @next END;
DECLARE @start bigint = CASE WHEN @earliest > @nowMs THEN @earliest ELSE @nowMs END;
DECLARE @kind varchar(20) = CASE
  WHEN @maxCalls IS NOT NULL AND @calls >= @maxCalls THEN 'budget-spent'
  WHEN @better = 0 AND @earliest <= @nowMs + @aheadMs THEN 'granted'
  ELSE 'wait' END;
IF @kind = 'granted'
BEGIN
  UPDATE dbo.GoAuditsCallLane
  SET NextCallAtMs = @start + @spacingMs,
    LongRunNextAtMs = CASE WHEN @longRun = 1 THEN @start + @longRunSpacingMs ELSE LongRunNextAtMs END,
    OthersActiveUntilMs = CASE WHEN @longRun = 1 THEN OthersActiveUntilMs ELSE @start + @othersActiveMs END
  WHERE LaneName = N'GoAudits';
  IF @maxCalls IS NOT NULL
  BEGIN
    UPDATE dbo.GoAuditsCallBudgets SET Calls = Calls + 1 WHERE RunKey = @runKey AND BudgetDay = @day;
    IF @@ROWCOUNT = 0 INSERT INTO dbo.GoAuditsCallBudgets (RunKey, BudgetDay, Calls) VALUES (@runKey, @day, 1);
    SET @calls = @calls + 1;
  END
END
IF @kind = 'wait'
BEGIN
  UPDATE dbo.GoAuditsLaneWaiters SET Priority = @priority, ExpiresAtMs = @nowMs + @ttlMs WHERE WaiterId = @waiterId;
  IF @@ROWCOUNT = 0 INSERT INTO dbo.GoAuditsLaneWaiters (WaiterId, Priority, QueuedAtMs, ExpiresAtMs) VALUES (@waiterId, @priority, @nowMs, @nowMs + @ttlMs);
END
ELSE DELETE FROM dbo.GoAuditsLaneWaiters WHERE WaiterId = @waiterId;
COMMIT TRANSACTION;
SELECT @kind AS kind, @start AS startAtMs, @refused AS refusedToken, @calls AS callsToday, @earliest AS nextStartAtMs,
  @ahead AS ahead, @held AS heldUntilMs;`;

/** Forgets a waiter that stopped waiting. */
export const LEAVE_LANE = `DELETE FROM dbo.GoAuditsLaneWaiters WHERE WaiterId = @waiterId;`;

/** No call starts before @untilMs, and every run may read that it waits for it; forward only. */
export const HOLD_API_CALLS = `UPDATE dbo.GoAuditsCallLane
SET NextCallAtMs = CASE WHEN NextCallAtMs < @untilMs THEN @untilMs ELSE NextCallAtMs END,
  HeldUntilMs = CASE WHEN HeldUntilMs < @untilMs THEN @untilMs ELSE HeldUntilMs END
WHERE LaneName = N'GoAudits';`;

/** The fingerprint of the token GoAudits last refused, or NULL. */
export const REFUSED_TOKEN = `SELECT l.RefusedToken AS refusedToken FROM dbo.GoAuditsCallLane AS l WHERE l.LaneName = N'GoAudits';`;

/** Records (or, with NULL, lifts) the refusal every worker checks before a call. */
export const REFUSE_TOKEN = `UPDATE dbo.GoAuditsCallLane SET RefusedToken = @fingerprint WHERE LaneName = N'GoAudits';`;

/** Every statement above and every migration statement, by name: what tsql-check verifies. */
export const SQLSERVER_STATEMENTS: Readonly<Record<string, string>> = {
  CREATE_SCHEMA_MIGRATIONS,
  ...(Object.assign({}, ...SQLSERVER_MIGRATIONS.map((migration) => migration.statements)) as Record<string, string>),
  APPLIED_MIGRATIONS,
  DATABASE_COMPATIBILITY,
  LOCK_SCHEMA,
  RECORD_MIGRATION,
  READ_WATERMARK,
  ENSURE_WATERMARK_ROW,
  SET_WATERMARK,
  ADVANCE_WATERMARK,
  COUNT_PROCESSED_REPORTS,
  SEE_STORED_REPORTS_AGAIN,
  INSERT_NEW_REPORTS,
  STORED_REPORTS_IN,
  REPORTS_AND_DAYS,
  PENDING_ENRICHMENT,
  REPORT_STATE,
  FILL_CERTIFICATE,
  REPLACE_CERTIFICATE,
  REMOVE_ANSWERS,
  LIFT_REFRESH_REQUEST,
  INSERT_NEW_ANSWERS,
  MARK_PROCESSED,
  FORGET_ENRICHMENT_FAILURES,
  RECORD_ENRICHMENT_FAILURE,
  RECORD_FIRST_ENRICHMENT_FAILURE,
  QUARANTINED_REPORTS,
  REQUEUE_ALL_QUARANTINED,
  REQUEUE_QUARANTINED,
  CLAIM_REPORTS,
  CLAIM_UNCLAIMED_REPORTS,
  RELEASE_REPORTS,
  HELD_REPORTS_ON,
  HELD_REPORTS,
  LEDGER_ONLY_REPORTS,
  STORED_CERTIFICATE,
  STORED_ANSWERS,
  REQUEST_REFRESH,
  FORGET_LEDGER_OF_MISSING,
  DELETE_GONE_REPORT,
  DELETED_REPORTS,
  START_RUN,
  RECORD_MISSED_DAY,
  RECORD_FIRST_MISSED_DAY,
  MISSED_DAYS,
  FORGET_MISSED_DAYS,
  OPEN_RUNS,
  FINISH_RUN,
  TAKE_LANE_TURN,
  LEAVE_LANE,
  HOLD_API_CALLS,
  REFUSED_TOKEN,
  REFUSE_TOKEN,
};
