import type Database from 'better-sqlite3';
import type { Answer } from '../goaudits/records';
import type { JobName, RunStatus } from './store';

/** Today's "empty certificate number": NULL or only spaces. */
const CERT_MISSING = "(CertificationNumber IS NULL OR TRIM(CertificationNumber) = '')";

/** One answer row as bound to the insert. */
type AnswerRow = Answer & { reportId: string; runId: string };

/**
 * Every statement the SQLite store runs, prepared once per connection (after migrate, since
 * preparing checks that the tables exist). Inserts skip existing keys only (ON CONFLICT DO
 * NOTHING), so a NULL in a NOT NULL column still fails the transaction.
 */
export function prepareSqliteStatements(db: Database.Database) {
  return {
    watermark: db.prepare<[JobName], { WatermarkUtc: string | null }>(
      'SELECT WatermarkUtc FROM JobWatermark WHERE JobName = ?',
    ),
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
    isProcessed: db.prepare<[JobName, string], { found: 1 }>(
      'SELECT 1 AS found FROM ProcessedItems WHERE JobName = ? AND ItemKey = ?',
    ),
    markProcessed: db.prepare<[JobName, string, string]>(
      `INSERT INTO ProcessedItems (JobName, ItemKey, RunId) VALUES (?, ?, ?)
       ON CONFLICT (JobName, ItemKey) DO NOTHING`,
    ),
    insertReport: db.prepare<[string, string, string]>(
      `INSERT INTO GoAuditsReports (GoAuditsReportId, CompletedAtUtc, JobRunId) VALUES (?, ?, ?)
       ON CONFLICT (GoAuditsReportId) DO NOTHING`,
    ),
    pendingEnrichment: db.prepare<[JobName, number], string>(
      `SELECT r.GoAuditsReportId FROM GoAuditsReports r
       WHERE (${CERT_MISSING}
              OR NOT EXISTS (SELECT 1 FROM GoAuditsReportAnswers a WHERE a.GoAuditsReportId = r.GoAuditsReportId))
         AND NOT EXISTS (SELECT 1 FROM ProcessedItems p WHERE p.JobName = ? AND p.ItemKey = r.GoAuditsReportId)
       ORDER BY r.CompletedAtUtc DESC, r.GoAuditsReportId
       LIMIT ?`,
    ).pluck(),
    /** Undefined when the report is unknown; flags are 0 or 1. */
    reportState: db.prepare<[string], { certMissing: 0 | 1; hasAnswers: 0 | 1 }>(
      `SELECT ${CERT_MISSING} AS certMissing,
              EXISTS (SELECT 1 FROM GoAuditsReportAnswers a WHERE a.GoAuditsReportId = r.GoAuditsReportId) AS hasAnswers
       FROM GoAuditsReports r WHERE r.GoAuditsReportId = ?`,
    ),
    /** Writes a non-blank certificate number only over a missing one. */
    fillCertificate: db.prepare<{ reportId: string; certificateNumber: string | null }>(
      `UPDATE GoAuditsReports SET CertificationNumber = @certificateNumber
       WHERE GoAuditsReportId = @reportId AND ${CERT_MISSING} AND TRIM(@certificateNumber) <> ''`,
    ),
    insertAnswer: db.prepare<AnswerRow>(
      `INSERT INTO GoAuditsReportAnswers (GoAuditsReportId, QuestionKey, AnswerValue, Section, QuestionText, JobRunId)
       VALUES (@reportId, @questionKey, @answerValue, @section, @questionText, @runId)
       ON CONFLICT (GoAuditsReportId, QuestionKey) DO NOTHING`,
    ),
    startRun: db.prepare<[string, JobName, string]>(
      `INSERT INTO JobRunHistory (RunId, JobName, Status, CorrelationId) VALUES (?, ?, 'Running', ?)
       ON CONFLICT (RunId) DO NOTHING`,
    ),
    finishRun: db.prepare<[Exclude<RunStatus, 'Running'>, string, string]>(
      `UPDATE JobRunHistory SET Status = ?, Message = substr(?, 1, 4000), RunCompletedUtc = datetime('now')
       WHERE RunId = ? AND Status = 'Running'`,
    ),
    nextCallAt: db.prepare<[], number>("SELECT NextCallAtMs FROM GoAuditsCallLane WHERE LaneName = 'GoAudits'").pluck(),
    /** Moves the lane's next free start forward only. */
    moveLane: db.prepare<[number]>(
      `INSERT INTO GoAuditsCallLane (LaneName, NextCallAtMs) VALUES ('GoAudits', ?)
       ON CONFLICT (LaneName) DO UPDATE SET NextCallAtMs = MAX(NextCallAtMs, excluded.NextCallAtMs)`,
    ),
  };
}

export type SqliteStatements = ReturnType<typeof prepareSqliteStatements>;
