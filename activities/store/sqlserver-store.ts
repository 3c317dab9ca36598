import { BigInt as SqlBigInt, Bit, Int, MAX, NVarChar, UniqueIdentifier, type ConnectionPool, type Transaction } from 'mssql';
import type { SqlServerConfig } from './sqlserver-config';
import { openSqlServerLanePool, openSqlServerPool } from './sqlserver-connection';
import { migrateSqlServer } from './sqlserver-migrate';
import { inTransaction, query, type Queryable } from './sqlserver-query';
import { withSqlServerRetry } from './sqlserver-retry';
import {
  ADVANCE_WATERMARK,
  CLAIM_REPORTS,
  CLAIM_UNCLAIMED_REPORTS,
  COUNT_PROCESSED_REPORTS,
  ENSURE_WATERMARK_ROW,
  FILL_CERTIFICATE,
  FINISH_RUN,
  OPEN_RUNS,
  FORGET_ENRICHMENT_FAILURES,
  FORGET_MISSED_DAYS,
  HOLD_API_CALLS,
  REFUSED_TOKEN,
  REFUSE_TOKEN,
  INSERT_NEW_ANSWERS,
  INSERT_NEW_REPORTS,
  LIFT_REFRESH_REQUEST,
  MARK_PROCESSED,
  MISSED_DAYS,
  PENDING_ENRICHMENT,
  QUARANTINED_REPORTS,
  READ_WATERMARK,
  RECORD_ENRICHMENT_FAILURE,
  RECORD_FIRST_ENRICHMENT_FAILURE,
  RECORD_FIRST_MISSED_DAY,
  RECORD_MISSED_DAY,
  REMOVE_ANSWERS,
  REPLACE_CERTIFICATE,
  REPORT_STATE,
  RELEASE_REPORTS,
  REPORTS_AND_DAYS,
  REQUEUE_ALL_QUARANTINED,
  REQUEUE_QUARANTINED,
  TAKE_LANE_TURN,
  LEAVE_LANE,
  SEE_STORED_REPORTS_AGAIN,
  SET_WATERMARK,
  START_RUN,
  STORED_REPORTS_IN,
} from './sqlserver-statements';
// SQL Server prints and reads datetime2(0) as style-120 text, the very text the SQLite store
// keeps, so both stores share one conversion to and from the pipeline's ISO `Z` times.
import { fromSqliteUtc, toSqliteUtc } from './sqlite-time';
import type { MissedDay, QuarantinedReport } from '../../shared/records';
import { ENRICHMENT_JOB, INGESTION_JOB, type JobName, type LaneTurn, type SavedDetails, type SavedWindow, type Store } from './store';
import { LONG_RUN_PRIORITY } from '../../shared/lane-caller';
import { UnknownReportError } from './unknown-report-error';

/** Keys, names and times as text: wide enough never to cut a value, narrow enough to seek an nvarchar(n) key. */
const SHORT_TEXT = NVarChar(4000);
/** Answers, messages and JSON lists: never cut. */
const LONG_TEXT = NVarChar(MAX);

/**
 * Epoch milliseconds, as the lane's bigint column takes them: whole, rounded up, so a start
 * is never earlier and a spacing or a hold never shorter than asked (bigint takes no fraction).
 */
const epochMs = (ms: number) => [SqlBigInt, Math.ceil(ms)] as const;

/** TAKE_LANE_TURN's one row (bigints as text). */
interface LaneTurnRow {
  kind: LaneTurn['kind'] | null;
  startAtMs: string;
  refusedToken: string | null;
  callsToday: number;
  nextStartAtMs: string;
  ahead: number;
  heldUntilMs: string;
}

/** The first item for each key, in input order (what the SQLite store's ON CONFLICT DO NOTHING keeps). */
function firstPerKey<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = keyOf(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Opens the production store on SQL Server (Azure SQL): a connection pool, see sqlServerStore.
 * Call migrate() before first use.
 */
export async function openSqlServerStore(config: SqlServerConfig): Promise<Store> {
  const pool = await withSqlServerRetry(() => openSqlServerPool(config));
  try {
    return sqlServerStore(pool, await withSqlServerRetry(() => openSqlServerLanePool(config)));
  } catch (error) {
    await pool.close();
    throw error;
  }
}

/**
 * The store over an open pool, which close() closes. Each multi-statement method is one
 * transaction whose statements lock what they read for writing (UPDLOCK, HOLDLOCK), so
 * concurrent workers queue instead of duplicating rows; a deadlock or a transient Azure SQL
 * error repeats the whole transaction (sqlserver-retry).
 */
export function sqlServerStore(pool: ConnectionPool, lanePool: ConnectionPool = pool): Store {
  /** A retried transaction. */
  const transact = <T>(work: (transaction: Transaction) => Promise<T>) => withSqlServerRetry(() => inTransaction(pool, work));
  /** A retried single statement on the pool (its own transaction). */
  const single = <T>(work: (on: ConnectionPool) => Promise<T>) => withSqlServerRetry(() => work(pool));
  /** A retried single statement of the call lane, on the lane's own connections. */
  const lane = <T>(work: (on: ConnectionPool) => Promise<T>) => withSqlServerRetry(() => work(lanePool));

  const readWatermark = async (on: Queryable, job: JobName): Promise<string | null> => {
    const { recordset } = await query<{ watermarkUtc: string | null }>(on, READ_WATERMARK, { job: [SHORT_TEXT, job] });
    const stored = recordset[0]?.watermarkUtc;
    return stored == null ? null : fromSqliteUtc(stored);
  };

  /** Inserts the job's row if missing, then sets its value (stored UTC text) with SET_ or ADVANCE_WATERMARK. */
  const writeWatermark = async (on: Transaction, statement: string, job: JobName, utcText: string | null) => {
    await query(on, ENSURE_WATERMARK_ROW, { job: [SHORT_TEXT, job] });
    await query(on, statement, { job: [SHORT_TEXT, job], watermarkUtc: [SHORT_TEXT, utcText] });
  };

  return {
    async migrate() {
      await migrateSqlServer(pool);
    },

    watermark: (job) => single((on) => readWatermark(on, job)),

    async advanceWatermark(job, watermarkUtc) {
      await transact((transaction) => writeWatermark(transaction, ADVANCE_WATERMARK, job, toSqliteUtc(watermarkUtc)));
    },

    async setWatermark(job, watermarkUtc) {
      const utcText = watermarkUtc === null ? null : toSqliteUtc(watermarkUtc);
      await transact((transaction) => writeWatermark(transaction, SET_WATERMARK, job, utcText));
    },

    async saveSummaryWindow({ runId, reports, advanceWatermark, watermarkNotAfterUtc, refreshStored = false }) {
      const unique = firstPerKey(reports, (report) => report.id);
      const rows = unique.map(({ id, completedAtUtc, summaryFingerprint }) => ({
        id,
        completedAtUtc: toSqliteUtc(completedAtUtc),
        summaryFingerprint,
      }));
      const times = reports.map((report) => toSqliteUtc(report.completedAtUtc));
      const notAfter = watermarkNotAfterUtc === undefined ? [] : [toSqliteUtc(watermarkNotAfterUtc)];
      const newest = times.length === 0 ? undefined : [times.sort().at(-1)!, ...notAfter].sort()[0];
      const window = { job: [SHORT_TEXT, INGESTION_JOB], reports: [LONG_TEXT, JSON.stringify(rows)] } as const;
      return transact(async (transaction): Promise<SavedWindow> => {
        const processed = await query<{ alreadyProcessed: number }>(transaction, COUNT_PROCESSED_REPORTS, window);
        // The stored reports first: INSERT_NEW_REPORTS then adds exactly the others.
        const seenAgain = await query<{ reportId: string }>(transaction, SEE_STORED_REPORTS_AGAIN, {
          reports: window.reports,
          refreshStored: [Bit, refreshStored],
        });
        const inserted = await query<{ GoAuditsReportId: string }>(transaction, INSERT_NEW_REPORTS, {
          ...window,
          runId: [UniqueIdentifier, runId],
        });
        if (advanceWatermark && newest !== undefined) {
          await writeWatermark(transaction, ADVANCE_WATERMARK, INGESTION_JOB, newest);
        }
        const insertedIds = new Set(inserted.recordset.map((row) => row.GoAuditsReportId));
        const refreshIds = new Set(seenAgain.recordset.map((row) => row.reportId));
        return {
          ingested: unique.map((report) => report.id).filter((id) => insertedIds.has(id)),
          alreadyProcessed: processed.recordset[0].alreadyProcessed,
          refresh: unique.map((report) => report.id).filter((id) => refreshIds.has(id)),
          watermarkUtc: await readWatermark(transaction, INGESTION_JOB),
        };
      });
    },

    async storedReportsPerDay() {
      const { recordset } = await single((on) => query<{ reports: number; days: number | null }>(on, REPORTS_AND_DAYS));
      const { reports, days } = recordset[0]; // an aggregate: always one row
      return days === null ? null : reports / days;
    },

    async storedReportsIn({ from, to }) {
      const days = { fromDay: [SHORT_TEXT, from], toDay: [SHORT_TEXT, to] } as const;
      const { recordset } = await single((on) => query<{ reports: number }>(on, STORED_REPORTS_IN, days));
      return recordset[0].reports; // an aggregate: always one row
    },

    async pendingEnrichment(limit) {
      if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number >= 0, got ${limit}`);
      const selection = { limit: [Int, limit], job: [SHORT_TEXT, ENRICHMENT_JOB] } as const;
      const { recordset } = await single((on) => query<{ GoAuditsReportId: string }>(on, PENDING_ENRICHMENT, selection));
      return recordset.map((row) => row.GoAuditsReportId);
    },

    async recordEnrichmentFailure({ reportId, error, quarantineAfter }) {
      const failure = { reportId: [SHORT_TEXT, reportId], error: [LONG_TEXT, error], quarantineAfter: [Int, quarantineAfter] } as const;
      type Recorded = { failures: number; quarantined: 0 | 1 };
      // One transaction: the UPDATE's HOLDLOCK keeps a missing key locked until the INSERT.
      const recorded = await transact(async (transaction) => {
        const counted = await query<Recorded>(transaction, RECORD_ENRICHMENT_FAILURE, failure);
        return counted.recordset[0] ?? (await query<Recorded>(transaction, RECORD_FIRST_ENRICHMENT_FAILURE, failure)).recordset[0];
      });
      if (!recorded) throw new Error(`no failure was recorded for report ${reportId}`);
      return { failures: recorded.failures, quarantined: recorded.quarantined === 1 };
    },

    async claimReports({ reportIds, runId, untilUtc }) {
      const claim = {
        reportIds: [LONG_TEXT, JSON.stringify(reportIds)],
        job: [SHORT_TEXT, ENRICHMENT_JOB],
        runId: [UniqueIdentifier, runId],
        untilUtc: [SHORT_TEXT, toSqliteUtc(untilUtc)],
      } as const;
      // One transaction: CLAIM_REPORTS's HOLDLOCK keeps the keys it read or found missing locked until the INSERT.
      const claimed = await transact(async (transaction) => {
        const taken = await query<{ reportId: string }>(transaction, CLAIM_REPORTS, claim);
        const added = await query<{ reportId: string }>(transaction, CLAIM_UNCLAIMED_REPORTS, claim);
        return new Set([...taken.recordset, ...added.recordset].map((row) => row.reportId));
      });
      return reportIds.filter((reportId) => claimed.has(reportId));
    },

    async releaseReports({ reportIds, runId }) {
      const release = { reportIds: [LONG_TEXT, JSON.stringify(reportIds)], runId: [UniqueIdentifier, runId] } as const;
      await single((on) => query(on, RELEASE_REPORTS, release));
    },

    async quarantinedReports(limit) {
      if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number >= 0, got ${limit}`);
      type Row = Omit<QuarantinedReport, 'lastError'> & { lastError: string | null };
      const { recordset } = await single((on) => query<Row>(on, QUARANTINED_REPORTS, { limit: [Int, limit] }));
      return recordset.map((row) => ({ ...row, lastError: row.lastError ?? '', lastFailedUtc: fromSqliteUtc(row.lastFailedUtc) }));
    },

    async requeueQuarantined(reportIds) {
      const { rowsAffected } = await single((on) =>
        reportIds === undefined
          ? query(on, REQUEUE_ALL_QUARANTINED)
          : query(on, REQUEUE_QUARANTINED, { reportIds: [LONG_TEXT, JSON.stringify(reportIds)] }),
      );
      return rowsAffected[0] ?? 0;
    },

    async saveReportDetails({ runId, details }) {
      const { reportId, certificateNumber } = details;
      const answers = firstPerKey(details.answers, (answer) => answer.questionKey);
      const report = { reportId: [SHORT_TEXT, reportId] } as const;
      const run = { runId: [UniqueIdentifier, runId] } as const;
      const certificate = { ...report, certificateNumber: [LONG_TEXT, certificateNumber] } as const;
      const newAnswers = { ...report, ...run, answers: [LONG_TEXT, JSON.stringify(answers)] } as const;
      const ledgerRow = { ...run, job: [SHORT_TEXT, ENRICHMENT_JOB], itemKey: [SHORT_TEXT, reportId] } as const;
      type State = { certMissing: 0 | 1; hasAnswers: 0 | 1; refreshRequested: 0 | 1 };

      /**
       * A refresh: the given answers replace the stored ones, the latest non-blank certificate
       * wins, and the request is lifted if it is older than this run's claim. REPORT_STATE holds
       * the report's row, so the certificate is missing after exactly when it was before and
       * none was written.
       */
      const refresh = async (transaction: Transaction, before: State): Promise<SavedDetails> => {
        const certUpdated = (await query(transaction, REPLACE_CERTIFICATE, certificate)).rowsAffected[0] === 1;
        await query(transaction, REMOVE_ANSWERS, report);
        const answersInserted = (await query(transaction, INSERT_NEW_ANSWERS, newAnswers)).rowsAffected[0];
        const marked = await query(transaction, MARK_PROCESSED, ledgerRow);
        await query(transaction, FORGET_ENRICHMENT_FAILURES, report);
        await query(transaction, LIFT_REFRESH_REQUEST, { ...report, ...run });
        const certMissing = before.certMissing === 1 && !certUpdated;
        return { certUpdated, answersInserted, markedProcessed: marked.rowsAffected[0] === 1, certMissing, refreshed: true };
      };

      return transact(async (transaction): Promise<SavedDetails> => {
        const state = await query<State>(transaction, REPORT_STATE, report);
        const before = state.recordset[0];
        if (!before) throw new UnknownReportError(reportId);
        if (before.refreshRequested === 1 && answers.length > 0) return refresh(transaction, before);
        const certUpdated = (await query(transaction, FILL_CERTIFICATE, certificate)).rowsAffected[0] === 1;
        const answersInserted = (await query(transaction, INSERT_NEW_ANSWERS, newAnswers)).rowsAffected[0];
        const hasAnswers = before.hasAnswers === 1 || answersInserted > 0;
        const marked = hasAnswers ? await query(transaction, MARK_PROCESSED, ledgerRow) : undefined;
        if (hasAnswers) await query(transaction, FORGET_ENRICHMENT_FAILURES, report);
        return {
          certUpdated,
          answersInserted,
          markedProcessed: marked?.rowsAffected[0] === 1,
          certMissing: hasAnswers && before.certMissing === 1 && !certUpdated,
          refreshed: false,
        };
      });
    },

    async startRun({ runId, job, correlationId }) {
      const run = { runId: [UniqueIdentifier, runId], job: [SHORT_TEXT, job], correlationId: [SHORT_TEXT, correlationId] } as const;
      await single((on) => query(on, START_RUN, run));
    },

    async recordMissedDay({ day, error }) {
      const missed = { day: [SHORT_TEXT, day], error: [LONG_TEXT, error] } as const;
      // One transaction: the UPDATE's HOLDLOCK keeps a missing day locked until the INSERT.
      await transact(async (transaction) => {
        const counted = await query(transaction, RECORD_MISSED_DAY, missed);
        if (counted.rowsAffected[0] === 0) await query(transaction, RECORD_FIRST_MISSED_DAY, missed);
      });
    },

    async missedDays() {
      type Row = Omit<MissedDay, 'lastError'> & { lastError: string | null };
      const { recordset } = await single((on) => query<Row>(on, MISSED_DAYS));
      return recordset.map((row) => ({ ...row, lastError: row.lastError ?? '', lastFailedUtc: fromSqliteUtc(row.lastFailedUtc) }));
    },

    async forgetMissedDays({ startDate, endDate }) {
      const window = { startDate: [SHORT_TEXT, startDate], endDate: [SHORT_TEXT, endDate] } as const;
      await single((on) => query(on, FORGET_MISSED_DAYS, window));
    },

    async openRuns(job) {
      return single(
        async (on) => (await query<{ runId: string; correlationId: string | null }>(on, OPEN_RUNS, { job: [SHORT_TEXT, job] })).recordset,
      );
    },

    async finishRun({ runId, status, message }) {
      const outcome = { runId: [UniqueIdentifier, runId], status: [SHORT_TEXT, status], message: [LONG_TEXT, message] } as const;
      await single((on) => query(on, FINISH_RUN, outcome));
    },

    async takeLaneTurn(request) {
      const { waiterId, priority, runKey, maxCallsPerDay, nowMs, dayMs } = request;
      const counted = runKey !== undefined && maxCallsPerDay !== undefined;
      const day = Math.floor(nowMs / dayMs);
      const turn = {
        waiterId: [SHORT_TEXT, waiterId],
        priority: [Int, priority],
        runKey: [SHORT_TEXT, counted ? runKey : null],
        maxCalls: [Int, counted ? maxCallsPerDay : null],
        nowMs: epochMs(nowMs),
        spacingMs: epochMs(request.spacingMs),
        aheadMs: [SqlBigInt, Math.floor(request.aheadMs)],
        longRun: [Bit, priority >= LONG_RUN_PRIORITY],
        longRunSpacingMs: epochMs(request.longRunSpacingMs),
        othersActiveMs: epochMs(request.othersActiveMs),
        day: [SqlBigInt, day],
        ttlMs: epochMs(request.waiterTtlMs),
      } as const;
      const { recordset } = await lane((on) => query<LaneTurnRow>(on, TAKE_LANE_TURN, turn));
      const row = recordset[0];
      if (!row?.kind) throw new Error("the GoAudits call lane has no row (LaneName 'GoAudits'): apply the schema migrations");
      // mssql returns a bigint as text
      if (row.kind === 'budget-spent') return { kind: row.kind, callsToday: row.callsToday, resetAtMs: (day + 1) * dayMs };
      if (row.kind === 'wait') {
        return { kind: row.kind, nextStartAtMs: Number(row.nextStartAtMs), ahead: row.ahead, heldUntilMs: Number(row.heldUntilMs) };
      }
      return { kind: row.kind, startAtMs: Number(row.startAtMs), refusedToken: row.refusedToken, callsToday: row.callsToday };
    },

    async leaveLane(waiterId) {
      await lane((on) => query(on, LEAVE_LANE, { waiterId: [SHORT_TEXT, waiterId] }));
    },

    async holdApiCalls(untilMs) {
      await lane((on) => query(on, HOLD_API_CALLS, { untilMs: epochMs(untilMs) }));
    },

    async refusedToken() {
      const { recordset } = await single((on) => query<{ refusedToken: string | null }>(on, REFUSED_TOKEN, {}));
      return recordset[0]?.refusedToken ?? null;
    },

    async refuseToken(fingerprint) {
      await single((on) => query(on, REFUSE_TOKEN, { fingerprint: [SHORT_TEXT, fingerprint] }));
    },

    async close() {
      if (lanePool !== pool) await lanePool.close();
      await pool.close();
    },
  };
}
