import type Database from 'better-sqlite3';
import type { Answer } from '../goaudits/records';
import { collationKey } from './collation-key';
import type { HeldReportRow } from './held-report-row';
import type { JobName, RunStatus } from './store';
import type { LaneMove, LaneRow, LaneWaiter } from './lane-turn';

/** An "empty certificate number": NULL or only spaces. */
const CERT_MISSING = "(CertificationNumber IS NULL OR TRIM(CertificationNumber) = '')";

/** The report has a refresh request: its details are to be fetched again. */
const REFRESH_REQUESTED = `EXISTS (SELECT 1 FROM GoAuditsReportVersions v
                                    WHERE v.GoAuditsReportId = r.GoAuditsReportId AND v.RefreshRequestedUtc IS NOT NULL)`;

/** Now, to the millisecond: a refresh request and a claim in the same second must still be told apart. */
const NOW_MS = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

/** What the store holds of each report `r` (HeldReport's fields, flags 0 or 1, CompletedAtUtc as stored). */
const HELD_REPORTS = `SELECT r.GoAuditsReportId AS reportId, r.CompletedAtUtc AS completedAt, v.SummaryFingerprint AS summaryFingerprint,
       (SELECT COUNT(*) FROM GoAuditsReportAnswers a WHERE a.GoAuditsReportId = r.GoAuditsReportId) AS answers,
       r.CertificationNumber AS certificateNumber,
       EXISTS (SELECT 1 FROM GoAuditsEnrichmentFailures f
               WHERE f.GoAuditsReportId = r.GoAuditsReportId AND f.QuarantinedUtc IS NOT NULL) AS quarantined,
       v.RefreshRequestedUtc IS NOT NULL AS refreshRequested,
       EXISTS (SELECT 1 FROM ProcessedItems p WHERE p.JobName = @ingestionJob AND p.ItemKey = r.GoAuditsReportId) AS ingestionLedger,
       EXISTS (SELECT 1 FROM ProcessedItems p WHERE p.JobName = @enrichmentJob AND p.ItemKey = r.GoAuditsReportId) AS enrichmentLedger
FROM GoAuditsReports r LEFT JOIN GoAuditsReportVersions v ON v.GoAuditsReportId = r.GoAuditsReportId`;

/** The ledgers' job names, bound to HELD_REPORTS and the ledger statements. */
type Ledgers = { ingestionJob: JobName; enrichmentJob: JobName };

/** One answer row as bound to the insert. */
type AnswerRow = Answer & { reportId: string; runId: string };

/**
 * Every statement the SQLite store runs, prepared once per connection (after migrate, since
 * preparing checks that the tables exist). Inserts skip existing keys only (ON CONFLICT DO
 * NOTHING), so a NULL in a NOT NULL column still fails the transaction.
 */
export function prepareSqliteStatements(db: Database.Database) {
  db.function('collation_key', { deterministic: true }, (key: unknown) => (typeof key === 'string' ? collationKey(key) : null));
  return {
    watermark: db.prepare<[JobName], { WatermarkUtc: string | null }>('SELECT WatermarkUtc FROM JobWatermark WHERE JobName = ?'),
    setWatermark: db.prepare<[JobName, string | null]>(
      `INSERT INTO JobWatermark (JobName, WatermarkUtc) VALUES (?, ?)
       ON CONFLICT (JobName) DO UPDATE SET WatermarkUtc = excluded.WatermarkUtc, UpdatedUtc = datetime('now')`,
    ),
    /** Like setWatermark, but only forwards (julianday also compares text an operator wrote by hand). */
    advanceWatermark: db.prepare<[JobName, string]>(
      `INSERT INTO JobWatermark (JobName, WatermarkUtc) VALUES (?, ?)
       ON CONFLICT (JobName) DO UPDATE SET WatermarkUtc = excluded.WatermarkUtc, UpdatedUtc = datetime('now')
       WHERE JobWatermark.WatermarkUtc IS NULL
          OR julianday(excluded.WatermarkUtc) > julianday(JobWatermark.WatermarkUtc)`,
    ),
    reportsAndDays: db.prepare<[], { reports: number; days: number | null }>(
      `SELECT COUNT(*) AS reports,
              CAST(julianday(date(MAX(CompletedAtUtc))) - julianday(date(MIN(CompletedAtUtc))) AS INTEGER) + 1 AS days
       FROM GoAuditsReports`,
    ),
    isProcessed: db.prepare<[JobName, string], { found: 1 }>('SELECT 1 AS found FROM ProcessedItems WHERE JobName = ? AND ItemKey = ?'),
    markProcessed: db.prepare<[JobName, string, string]>(
      `INSERT INTO ProcessedItems (JobName, ItemKey, RunId) VALUES (?, ?, ?)
       ON CONFLICT (JobName, ItemKey) DO NOTHING`,
    ),
    insertReport: db.prepare<[string, string, string]>(
      `INSERT INTO GoAuditsReports (GoAuditsReportId, CompletedAtUtc, JobRunId) VALUES (?, ?, ?)
       ON CONFLICT (GoAuditsReportId) DO NOTHING`,
    ),
    /** What was last seen of a stored report in the summary; undefined when it is not stored. */
    storedVersion: db.prepare<[string], { completedAt: string; fingerprint: string | null }>(
      `SELECT r.CompletedAtUtc AS completedAt, v.SummaryFingerprint AS fingerprint
       FROM GoAuditsReports r LEFT JOIN GoAuditsReportVersions v ON v.GoAuditsReportId = r.GoAuditsReportId
       WHERE r.GoAuditsReportId = ?`,
    ),
    /** CompletedAtUtc follows the audit's latest Updated_On, forwards only; 1 change when it moved. */
    moveCompletedAt: db.prepare<{ reportId: string; completedAt: string }>(
      `UPDATE GoAuditsReports SET CompletedAtUtc = @completedAt
       WHERE GoAuditsReportId = @reportId AND julianday(@completedAt) > julianday(CompletedAtUtc)`,
    ),
    /** Keeps the fingerprint last seen; with @refresh, (re)asks for a refresh as of now. */
    recordVersion: db.prepare<{ reportId: string; fingerprint: string; refresh: 0 | 1 }>(
      `INSERT INTO GoAuditsReportVersions (GoAuditsReportId, SummaryFingerprint, RefreshRequestedUtc)
       VALUES (@reportId, @fingerprint, CASE WHEN @refresh = 1 THEN ${NOW_MS} END)
       ON CONFLICT (GoAuditsReportId) DO UPDATE SET
         SummaryFingerprint = excluded.SummaryFingerprint,
         RefreshRequestedUtc = COALESCE(excluded.RefreshRequestedUtc, GoAuditsReportVersions.RefreshRequestedUtc)`,
    ),
    /** Lifts the report's refresh request if it is older than @runId's claim on the report. */
    liftRefresh: db.prepare<{ reportId: string; runId: string }>(
      `UPDATE GoAuditsReportVersions SET RefreshRequestedUtc = NULL
       WHERE GoAuditsReportId = @reportId
         AND RefreshRequestedUtc < (SELECT c.ClaimedUtc FROM GoAuditsEnrichmentClaims c
                                    WHERE c.GoAuditsReportId = @reportId AND c.RunId = @runId)`,
    ),
    refreshRequested: db.prepare<[string], { found: 1 }>(
      'SELECT 1 AS found FROM GoAuditsReportVersions WHERE GoAuditsReportId = ? AND RefreshRequestedUtc IS NOT NULL',
    ),
    storedReportsIn: db
      .prepare<[string, string], number>('SELECT COUNT(*) FROM GoAuditsReports WHERE date(CompletedAtUtc) BETWEEN ? AND ?')
      .pluck(),
    pendingEnrichment: db
      .prepare<[JobName, number], string>(
        `SELECT r.GoAuditsReportId FROM GoAuditsReports r
       WHERE ((${CERT_MISSING}
               OR NOT EXISTS (SELECT 1 FROM GoAuditsReportAnswers a WHERE a.GoAuditsReportId = r.GoAuditsReportId))
              AND NOT EXISTS (SELECT 1 FROM ProcessedItems p WHERE p.JobName = ? AND p.ItemKey = r.GoAuditsReportId)
              OR ${REFRESH_REQUESTED})
         AND NOT EXISTS (SELECT 1 FROM GoAuditsEnrichmentFailures f
                         WHERE f.GoAuditsReportId = r.GoAuditsReportId AND f.QuarantinedUtc IS NOT NULL)
         AND NOT EXISTS (SELECT 1 FROM GoAuditsEnrichmentClaims c
                         WHERE c.GoAuditsReportId = r.GoAuditsReportId AND c.ClaimedUntilUtc > datetime('now'))
       ORDER BY r.CompletedAtUtc DESC, r.GoAuditsReportId
       LIMIT ?`,
      )
      .pluck(),
    /** Undefined when the report is unknown; flags are 0 or 1. */
    reportState: db.prepare<[string], { certMissing: 0 | 1; hasAnswers: 0 | 1; refreshRequested: 0 | 1 }>(
      `SELECT ${CERT_MISSING} AS certMissing,
              EXISTS (SELECT 1 FROM GoAuditsReportAnswers a WHERE a.GoAuditsReportId = r.GoAuditsReportId) AS hasAnswers,
              ${REFRESH_REQUESTED} AS refreshRequested
       FROM GoAuditsReports r WHERE r.GoAuditsReportId = ?`,
    ),
    /** 1 when the report has no certificate number. */
    certificateMissing: db.prepare<[string], 0 | 1>(`SELECT ${CERT_MISSING} FROM GoAuditsReports WHERE GoAuditsReportId = ?`).pluck(),
    /** Writes a non-blank certificate number only over a missing one. */
    fillCertificate: db.prepare<{ reportId: string; certificateNumber: string | null }>(
      `UPDATE GoAuditsReports SET CertificationNumber = @certificateNumber
       WHERE GoAuditsReportId = @reportId AND ${CERT_MISSING} AND TRIM(@certificateNumber) <> ''`,
    ),
    /** A refresh's certificate: the latest non-blank one, over whatever is stored. */
    replaceCertificate: db.prepare<{ reportId: string; certificateNumber: string | null }>(
      `UPDATE GoAuditsReports SET CertificationNumber = @certificateNumber
       WHERE GoAuditsReportId = @reportId AND TRIM(@certificateNumber) <> ''
         AND (CertificationNumber IS NULL OR CertificationNumber <> @certificateNumber)`,
    ),
    removeAnswers: db.prepare<[string]>('DELETE FROM GoAuditsReportAnswers WHERE GoAuditsReportId = ?'),
    /**
     * One answer, unless the report has one under the same key as SQL Server compares keys
     * (collation_key: case and trailing spaces do not count), so both stores keep the same rows.
     */
    insertAnswer: db.prepare<AnswerRow>(
      `INSERT INTO GoAuditsReportAnswers (GoAuditsReportId, QuestionKey, AnswerValue, Section, QuestionText, JobRunId)
       SELECT @reportId, @questionKey, @answerValue, @section, @questionText, @runId
       WHERE NOT EXISTS (SELECT 1 FROM GoAuditsReportAnswers a
                         WHERE a.GoAuditsReportId = @reportId AND collation_key(a.QuestionKey) = collation_key(@questionKey))
       ON CONFLICT (GoAuditsReportId, QuestionKey) DO NOTHING`,
    ),
    /**
     * A text range, so the CompletedAtUtc index serves it: the stored text starts with its day
     * (whatever an operator wrote after it), so it sorts between the day and the next.
     */
    heldReportsOn: db.prepare<Ledgers & { from: string; to: string }, HeldReportRow>(
      `${HELD_REPORTS} WHERE r.CompletedAtUtc >= @from AND r.CompletedAtUtc < date(@to, '+1 day')`,
    ),
    /** @reportIds: a JSON list of ids. */
    heldReports: db.prepare<Ledgers & { reportIds: string }, HeldReportRow>(
      `${HELD_REPORTS} WHERE r.GoAuditsReportId IN (SELECT value FROM json_each(@reportIds))`,
    ),
    /** Of the JSON list @reportIds, those with a ledger row (either job) but no report row. */
    ledgerOnly: db
      .prepare<Ledgers & { reportIds: string }, string>(
        `SELECT DISTINCT p.ItemKey FROM ProcessedItems p
         WHERE p.JobName IN (@ingestionJob, @enrichmentJob)
           AND p.ItemKey IN (SELECT value FROM json_each(@reportIds))
           AND NOT EXISTS (SELECT 1 FROM GoAuditsReports r WHERE r.GoAuditsReportId = p.ItemKey)`,
      )
      .pluck(),
    /** Undefined when the report is not stored. */
    storedCertificate: db.prepare<[string], { certificateNumber: string | null }>(
      'SELECT CertificationNumber AS certificateNumber FROM GoAuditsReports WHERE GoAuditsReportId = ?',
    ),
    storedAnswers: db.prepare<[string], Answer>(
      `SELECT QuestionKey AS questionKey, AnswerValue AS answerValue, Section AS section, QuestionText AS questionText
       FROM GoAuditsReportAnswers WHERE GoAuditsReportId = ?`,
    ),
    /** (Re)asks for a refresh of a stored report as of now; 1 change when the report is stored. */
    requestRefresh: db.prepare<[string]>(
      `INSERT INTO GoAuditsReportVersions (GoAuditsReportId, SummaryFingerprint, RefreshRequestedUtc)
       SELECT r.GoAuditsReportId, NULL, ${NOW_MS} FROM GoAuditsReports r WHERE r.GoAuditsReportId = ?
       ON CONFLICT (GoAuditsReportId) DO UPDATE SET RefreshRequestedUtc = excluded.RefreshRequestedUtc`,
    ),
    /** Drops the report's ledger rows (both jobs) when no report row exists. */
    forgetLedgerOfMissing: db.prepare<Ledgers & { reportId: string }>(
      `DELETE FROM ProcessedItems
       WHERE JobName IN (@ingestionJob, @enrichmentJob) AND ItemKey = @reportId
         AND NOT EXISTS (SELECT 1 FROM GoAuditsReports r WHERE r.GoAuditsReportId = @reportId)`,
    ),
    claimedByAnotherRun: db.prepare<{ reportId: string; runId: string }, { found: 1 }>(
      `SELECT 1 AS found FROM GoAuditsEnrichmentClaims
       WHERE GoAuditsReportId = @reportId AND RunId <> @runId AND ClaimedUntilUtc > datetime('now')`,
    ),
    /** Copies a stored report to GoAuditsDeletedReports, as of now; 1 change when it is stored. */
    archiveReport: db.prepare<{ reportId: string; runId: string }>(
      `INSERT INTO GoAuditsDeletedReports (GoAuditsReportId, CompletedAtUtc, CertificationNumber, Answers, DeletedUtc, DeletedByRunId)
       SELECT r.GoAuditsReportId, r.CompletedAtUtc, r.CertificationNumber,
              (SELECT COUNT(*) FROM GoAuditsReportAnswers a WHERE a.GoAuditsReportId = r.GoAuditsReportId), ${NOW_MS}, @runId
       FROM GoAuditsReports r WHERE r.GoAuditsReportId = @reportId`,
    ),
    /** 1 when @runId deleted the report (it is in GoAuditsDeletedReports by that run). */
    deletedBy: db.prepare<{ reportId: string; runId: string }, { found: 1 }>(
      'SELECT 1 AS found FROM GoAuditsDeletedReports WHERE GoAuditsReportId = @reportId AND DeletedByRunId = @runId',
    ),
    removeReport: db.prepare<[string]>('DELETE FROM GoAuditsReports WHERE GoAuditsReportId = ?'),
    removeLedger: db.prepare<Ledgers & { reportId: string }>(
      'DELETE FROM ProcessedItems WHERE JobName IN (@ingestionJob, @enrichmentJob) AND ItemKey = @reportId',
    ),
    removeVersion: db.prepare<[string]>('DELETE FROM GoAuditsReportVersions WHERE GoAuditsReportId = ?'),
    removeClaim: db.prepare<[string]>('DELETE FROM GoAuditsEnrichmentClaims WHERE GoAuditsReportId = ?'),
    deletedReports: db.prepare<
      [number],
      { reportId: string; completedAt: string; deletedUtc: string; deletedByRunId: string; answers: number }
    >(
      `SELECT GoAuditsReportId AS reportId, CompletedAtUtc AS completedAt, DeletedUtc AS deletedUtc,
              DeletedByRunId AS deletedByRunId, Answers AS answers
       FROM GoAuditsDeletedReports ORDER BY DeletedUtc DESC, GoAuditsReportId LIMIT ?`,
    ),
    startRun: db.prepare<[string, JobName, string]>(
      `INSERT INTO JobRunHistory (RunId, JobName, Status, CorrelationId) VALUES (?, ?, 'Running', ?)
       ON CONFLICT (RunId) DO NOTHING`,
    ),
    openRuns: db.prepare<[JobName], { runId: string; correlationId: string | null }>(
      "SELECT RunId AS runId, CorrelationId AS correlationId FROM JobRunHistory WHERE JobName = ? AND Status = 'Running' ORDER BY RunStartedUtc, RunId",
    ),
    finishRun: db.prepare<[Exclude<RunStatus, 'Running'>, string, string]>(
      `UPDATE JobRunHistory SET Status = ?, Message = substr(?, 1, 4000), RunCompletedUtc = datetime('now')
       WHERE RunId = ? AND Status = 'Running'`,
    ),
    /** One more failure; quarantined (once) when the failures reach @quarantineAfter. */
    recordFailure: db.prepare<{ reportId: string; error: string; quarantineAfter: number }, { failures: number; quarantined: 0 | 1 }>(
      `INSERT INTO GoAuditsEnrichmentFailures (GoAuditsReportId, Failures, LastError, LastFailedUtc, QuarantinedUtc)
       VALUES (@reportId, 1, substr(@error, 1, 1000), datetime('now'), CASE WHEN @quarantineAfter <= 1 THEN datetime('now') END)
       ON CONFLICT (GoAuditsReportId) DO UPDATE SET
         Failures = Failures + 1,
         LastError = excluded.LastError,
         LastFailedUtc = excluded.LastFailedUtc,
         QuarantinedUtc = COALESCE(QuarantinedUtc, CASE WHEN Failures + 1 >= @quarantineAfter THEN datetime('now') END)
       RETURNING Failures AS failures, QuarantinedUtc IS NOT NULL AS quarantined`,
    ),
    forgetFailures: db.prepare<[string]>('DELETE FROM GoAuditsEnrichmentFailures WHERE GoAuditsReportId = ?'),
    quarantined: db.prepare<[number], { reportId: string; failures: number; lastError: string | null; lastFailedUtc: string }>(
      `SELECT GoAuditsReportId AS reportId, Failures AS failures, LastError AS lastError, LastFailedUtc AS lastFailedUtc
       FROM GoAuditsEnrichmentFailures WHERE QuarantinedUtc IS NOT NULL
       ORDER BY LastFailedUtc DESC, GoAuditsReportId LIMIT ?`,
    ),
    requeueAll: db.prepare('DELETE FROM GoAuditsEnrichmentFailures WHERE QuarantinedUtc IS NOT NULL'),
    requeue: db.prepare<[string]>('DELETE FROM GoAuditsEnrichmentFailures WHERE GoAuditsReportId = ? AND QuarantinedUtc IS NOT NULL'),
    /** Claims one report for @runId unless another run holds an unexpired claim; 1 change when claimed. */
    claim: db.prepare<{ reportId: string; runId: string; until: string }>(
      `INSERT INTO GoAuditsEnrichmentClaims (GoAuditsReportId, RunId, ClaimedUntilUtc, ClaimedUtc)
       VALUES (@reportId, @runId, @until, ${NOW_MS})
       ON CONFLICT (GoAuditsReportId) DO UPDATE SET
         RunId = excluded.RunId, ClaimedUntilUtc = excluded.ClaimedUntilUtc, ClaimedUtc = excluded.ClaimedUtc
       WHERE GoAuditsEnrichmentClaims.RunId = excluded.RunId OR GoAuditsEnrichmentClaims.ClaimedUntilUtc <= datetime('now')`,
    ),
    release: db.prepare<[string, string]>('DELETE FROM GoAuditsEnrichmentClaims WHERE GoAuditsReportId = ? AND RunId = ?'),
    recordMissedDay: db.prepare<{ day: string; error: string }>(
      `INSERT INTO GoAuditsMissedDays (SummaryDay, Failures, LastError, LastFailedUtc)
       VALUES (@day, 1, substr(@error, 1, 1000), datetime('now'))
       ON CONFLICT (SummaryDay) DO UPDATE SET
         Failures = Failures + 1, LastError = excluded.LastError, LastFailedUtc = excluded.LastFailedUtc`,
    ),
    missedDays: db.prepare<[], { day: string; failures: number; lastError: string | null; lastFailedUtc: string }>(
      `SELECT SummaryDay AS day, Failures AS failures, LastError AS lastError, LastFailedUtc AS lastFailedUtc
       FROM GoAuditsMissedDays ORDER BY SummaryDay`,
    ),
    forgetMissedDays: db.prepare<[string, string]>('DELETE FROM GoAuditsMissedDays WHERE SummaryDay BETWEEN ? AND ?'),
    refusedToken: db.prepare<[], string | null>("SELECT RefusedToken FROM GoAuditsCallLane WHERE LaneName = 'GoAudits'").pluck(),
    refuseToken: db.prepare<[string | null]>("UPDATE GoAuditsCallLane SET RefusedToken = ? WHERE LaneName = 'GoAudits'"),
    lane: db.prepare<[], LaneRow>(
      `SELECT NextCallAtMs AS nextCallAtMs, HeldUntilMs AS heldUntilMs, LongRunNextAtMs AS longRunNextAtMs,
         OthersActiveUntilMs AS othersActiveUntilMs, RefusedToken AS refusedToken
       FROM GoAuditsCallLane WHERE LaneName = 'GoAudits'`,
    ),
    moveLane: db.prepare<LaneMove>(
      `UPDATE GoAuditsCallLane SET NextCallAtMs = @nextCallAtMs, LongRunNextAtMs = @longRunNextAtMs,
         OthersActiveUntilMs = @othersActiveUntilMs
       WHERE LaneName = 'GoAudits'`,
    ),
    /** Moves the lane's next free start, and the hold it shows, forward only. */
    holdLane: db.prepare<{ untilMs: number }>(
      `UPDATE GoAuditsCallLane SET NextCallAtMs = MAX(NextCallAtMs, @untilMs), HeldUntilMs = MAX(HeldUntilMs, @untilMs)
       WHERE LaneName = 'GoAudits'`,
    ),
    forgetExpiredWaiters: db.prepare<[number]>('DELETE FROM GoAuditsLaneWaiters WHERE ExpiresAtMs <= ?'),
    waiters: db.prepare<[], LaneWaiter>(
      'SELECT WaiterId AS waiterId, Priority AS priority, QueuedAtMs AS queuedAtMs FROM GoAuditsLaneWaiters',
    ),
    registerWaiter: db.prepare<{ waiterId: string; priority: number; nowMs: number; expiresAtMs: number }>(
      `INSERT INTO GoAuditsLaneWaiters (WaiterId, Priority, QueuedAtMs, ExpiresAtMs) VALUES (@waiterId, @priority, @nowMs, @expiresAtMs)
       ON CONFLICT (WaiterId) DO UPDATE SET Priority = excluded.Priority, ExpiresAtMs = excluded.ExpiresAtMs`,
    ),
    leaveLane: db.prepare<[string]>('DELETE FROM GoAuditsLaneWaiters WHERE WaiterId = ?'),
    callsToday: db.prepare<[string, number], number>('SELECT Calls FROM GoAuditsCallBudgets WHERE RunKey = ? AND BudgetDay = ?').pluck(),
    countCall: db.prepare<[string, number]>(
      `INSERT INTO GoAuditsCallBudgets (RunKey, BudgetDay, Calls) VALUES (?, ?, 1)
       ON CONFLICT (RunKey, BudgetDay) DO UPDATE SET Calls = Calls + 1`,
    ),
  };
}

export type SqliteStatements = ReturnType<typeof prepareSqliteStatements>;
