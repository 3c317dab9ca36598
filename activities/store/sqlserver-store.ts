import { randomUUID } from 'node:crypto';
import { BigInt as SqlBigInt, Bit, Int, MAX, NVarChar, UniqueIdentifier, type ConnectionPool, type Transaction } from 'mssql';
import type { SqlServerConfig } from './sqlserver-config';
import { collationKey, firstPerCollationKey, inCollationOrder } from './collation-key';
import { openSqlServerLanePool, openSqlServerPool } from './sqlserver-connection';
import { migrateSqlServer } from './sqlserver-migrate';
import { windowChunks } from './sqlserver-window-chunks';
import { inTransaction, query, type Queryable } from './sqlserver-query';
import { SQLSERVER_RETRY_POLICY, withSqlServerRetry, type RetryOptions } from './sqlserver-retry';
import {
  ADVANCE_WATERMARK,
  CLAIM_REPORTS,
  CLAIM_UNCLAIMED_REPORTS,
  COUNT_PROCESSED_REPORTS,
  DELETE_GONE_REPORT,
  DELETED_REPORTS,
  ENSURE_WATERMARK_ROW,
  FILL_CERTIFICATE,
  FINISH_RUN,
  OPEN_RUNS,
  FORGET_ENRICHMENT_FAILURES,
  FORGET_LEDGER_OF_MISSING,
  FORGET_MISSED_DAYS,
  HELD_REPORTS,
  HELD_REPORTS_ON,
  HOLD_API_CALLS,
  REFUSED_TOKEN,
  REFUSE_TOKEN,
  INSERT_NEW_ANSWERS,
  INSERT_NEW_REPORTS,
  LEDGER_ONLY_REPORTS,
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
  REQUEST_REFRESH,
  REQUEUE_QUARANTINED,
  TAKE_LANE_TURN,
  LEAVE_LANE,
  SEE_STORED_REPORTS_AGAIN,
  SET_WATERMARK,
  START_RUN,
  STORED_ANSWERS,
  STORED_CERTIFICATE,
  STORED_REPORTS_IN,
} from './sqlserver-statements';
// SQL Server prints and reads datetime2(0) as style-120 text, the very text the SQLite store
// keeps, so both stores share one conversion to and from the pipeline's ISO `Z` times.
import { fromSqliteUtc, toSqliteUtc } from './sqlite-time';
import type { MissedDay, QuarantinedReport } from '../../shared/records';
import type { Answer } from '../goaudits/records';
import { heldReportsById, type HeldReportRow } from './held-report-row';
import { byQuestionKey } from './question-key-order';
import { ENRICHMENT_JOB, INGESTION_JOB, type JobName, type LaneTurn, type SavedDetails, type SavedWindow, type Store } from './store';
import { LONG_RUN_PRIORITY } from '../../shared/lane-caller';
import { UnknownReportError } from './unknown-report-error';

/** Keys, names and times as text: wide enough never to cut a value, narrow enough to seek an nvarchar(n) key. */
const SHORT_TEXT = NVarChar(4000);
/** Answers, messages and JSON lists: never cut. */
const LONG_TEXT = NVarChar(MAX);

/** The widths of the key columns the statements' OPENJSON ... WITH reads keys as. */
const REPORT_ID_MAX = 100;
const QUESTION_KEY_MAX = 256;

/**
 * Refuses keys wider than their column, naming the first: OPENJSON would cut them silently to
 * the width it reads them as, and a cut key could match another report's.
 */
function refuseWiderThan(what: string, max: number, keys: readonly string[]): void {
  const wide = keys.find((key) => typeof key === 'string' && key.length > max);
  if (wide !== undefined) throw new RangeError(`${what} longer than its column's ${max} characters: ${wide.slice(0, 40)}...`);
}

/**
 * Epoch milliseconds, as the lane's bigint column takes them: whole, rounded up, so a start
 * is never earlier and a spacing or a hold never shorter than asked (bigint takes no fraction).
 */
const epochMs = (ms: number) => [SqlBigInt, Math.ceil(ms)] as const;

export interface SqlServerStoreOptions {
  /** Opens the pool: openSqlServerPool, unless a test gives another. */
  connect?: (config: SqlServerConfig) => Promise<ConnectionPool>;
  /** Opens the call lane's own pool: openSqlServerLanePool, unless a test gives another. */
  connectLane?: (config: SqlServerConfig) => Promise<ConnectionPool>;
  /** The retries' clock, sleep and randomness, for tests; the budget is the configuration's. */
  retry?: Pick<RetryOptions, 'now' | 'sleep' | 'random'>;
}

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

/**
 * Opens the production store on SQL Server (Azure SQL): a connection pool, see sqlServerStore.
 * A database that refuses logins or does not answer while it fails over is tried again for the
 * configured retry budget, so a worker started during a reconfiguration starts once it is over.
 * Call migrate() before first use.
 */
export async function openSqlServerStore(
  config: SqlServerConfig,
  { connect = openSqlServerPool, connectLane = openSqlServerLanePool, retry = {} }: SqlServerStoreOptions = {},
): Promise<Store> {
  const retrying: RetryOptions = { ...retry, policy: { ...SQLSERVER_RETRY_POLICY, budgetMs: config.retryBudgetMs } };
  const pool = await withSqlServerRetry(() => connect(config), retrying);
  try {
    return sqlServerStore(pool, retrying, await withSqlServerRetry(() => connectLane(config), retrying));
  } catch (error) {
    await pool.close();
    throw error;
  }
}

/**
 * The store over an open pool, which close() closes. Each multi-statement method is one
 * transaction whose statements lock what they read for writing (UPDLOCK, HOLDLOCK) where no
 * other lock serialises the writers already, so concurrent workers queue instead of duplicating
 * rows; a deadlock or a transient Azure SQL error repeats the whole transaction (sqlserver-retry).
 */
export function sqlServerStore(pool: ConnectionPool, retrying: RetryOptions = {}, lanePool: ConnectionPool = pool): Store {
  /** A retried transaction. */
  const transact = <T>(work: (transaction: Transaction) => Promise<T>) => withSqlServerRetry(() => inTransaction(pool, work), retrying);
  /** A retried single statement on the pool (its own transaction). */
  const single = <T>(work: (on: ConnectionPool) => Promise<T>) => withSqlServerRetry(() => work(pool), retrying);
  /** A retried single statement of the call lane, on the lane's own connections. */
  const lane = <T>(work: (on: ConnectionPool) => Promise<T>) => withSqlServerRetry(() => work(lanePool), retrying);

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

  /** Claims reports for `runId`: those to enrich, or with `anyState` all of them (see claimReports, claimForCheck). */
  const claim = async ({ reportIds, runId, untilUtc }: Parameters<Store['claimReports']>[0], anyState: boolean) => {
    const claiming = {
      // In collation order, so two runs claiming overlapping batches lock the shared keys in one order.
      reportIds: [LONG_TEXT, JSON.stringify(inCollationOrder(reportIds, (id) => id))],
      job: [SHORT_TEXT, ENRICHMENT_JOB],
      runId: [UniqueIdentifier, runId],
      untilUtc: [SHORT_TEXT, toSqliteUtc(untilUtc)],
      anyState: [Bit, anyState],
    } as const;
    // One transaction: CLAIM_REPORTS's HOLDLOCK keeps the keys it read or found missing locked until the INSERT.
    const claimed = await transact(async (transaction) => {
      const taken = await query<{ reportId: string }>(transaction, CLAIM_REPORTS, claiming);
      const added = await query<{ reportId: string }>(transaction, CLAIM_UNCLAIMED_REPORTS, claiming);
      return new Set([...taken.recordset, ...added.recordset].map((row) => collationKey(row.reportId)));
    });
    // The rows come back with the stored spelling of each id, which may differ from the one asked for in case or trailing spaces.
    return reportIds.filter((reportId) => claimed.has(collationKey(reportId)));
  };

  /** The ledgers' job names, as the reconcile's statements take them. */
  const ledgers = { ingestionJob: [SHORT_TEXT, INGESTION_JOB], enrichmentJob: [SHORT_TEXT, ENRICHMENT_JOB] } as const;
  /** A list of ids, as the statements take it. */
  const idList = (reportIds: string[]) => ({ reportIds: [LONG_TEXT, JSON.stringify(reportIds)] }) as const;

  return {
    async migrate() {
      await migrateSqlServer(pool, retrying);
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
      // Ids the server compares as one are one report: the first spelling is stored.
      const unique = firstPerCollationKey(reports, (report) => report.id);
      refuseWiderThan(
        'a report id',
        REPORT_ID_MAX,
        unique.map((report) => report.id),
      );
      const rows = unique.map(({ id, completedAtUtc, summaryFingerprint }) => ({
        id,
        completedAtUtc: toSqliteUtc(completedAtUtc),
        summaryFingerprint,
      }));
      const times = reports.map((report) => toSqliteUtc(report.completedAtUtc));
      const notAfter = watermarkNotAfterUtc === undefined ? [] : [toSqliteUtc(watermarkNotAfterUtc)];
      const newest = times.length === 0 ? undefined : [times.sort().at(-1)!, ...notAfter].sort()[0];
      const job = [SHORT_TEXT, INGESTION_JOB] as const;
      return transact(async (transaction): Promise<SavedWindow> => {
        let alreadyProcessed = 0;
        const insertedIds = new Set<string>();
        const refreshIds = new Set<string>();
        // Chunk by chunk in one transaction: no statement locks enough keys to escalate to a table lock.
        for (const chunk of windowChunks(rows, (row) => row.id)) {
          const window = { job, reports: [LONG_TEXT, JSON.stringify(chunk)] } as const;
          const processed = await query<{ alreadyProcessed: number }>(transaction, COUNT_PROCESSED_REPORTS, window);
          alreadyProcessed += processed.recordset[0].alreadyProcessed;
          // The stored reports first: INSERT_NEW_REPORTS then adds exactly the others.
          const seenAgain = await query<{ reportId: string }>(transaction, SEE_STORED_REPORTS_AGAIN, {
            reports: window.reports,
            refreshStored: [Bit, refreshStored],
          });
          const inserted = await query<{ GoAuditsReportId: string }>(transaction, INSERT_NEW_REPORTS, {
            ...window,
            runId: [UniqueIdentifier, runId],
          });
          for (const row of seenAgain.recordset) refreshIds.add(collationKey(row.reportId));
          for (const row of inserted.recordset) insertedIds.add(collationKey(row.GoAuditsReportId));
        }
        if (advanceWatermark && newest !== undefined) {
          await writeWatermark(transaction, ADVANCE_WATERMARK, INGESTION_JOB, newest);
        }
        const ids = unique.map((report) => report.id);
        return {
          ingested: ids.filter((id) => insertedIds.has(collationKey(id))),
          alreadyProcessed,
          refresh: ids.filter((id) => refreshIds.has(collationKey(id))),
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
      const failure = {
        reportId: [SHORT_TEXT, reportId],
        error: [LONG_TEXT, error],
        quarantineAfter: [Int, quarantineAfter],
        // One id for this call and all its retries: the failure counts once.
        attemptId: [UniqueIdentifier, randomUUID()],
      } as const;
      type Recorded = { failures: number; quarantined: 0 | 1 };
      // One transaction: the UPDATE's HOLDLOCK keeps a missing key locked until the INSERT.
      const recorded = await transact(async (transaction) => {
        const counted = await query<Recorded>(transaction, RECORD_ENRICHMENT_FAILURE, failure);
        return counted.recordset[0] ?? (await query<Recorded>(transaction, RECORD_FIRST_ENRICHMENT_FAILURE, failure)).recordset[0];
      });
      if (!recorded) throw new Error(`no failure was recorded for report ${reportId}`);
      return { failures: recorded.failures, quarantined: recorded.quarantined === 1 };
    },

    claimReports: (args) => claim(args, false),

    claimForCheck: (args) => claim(args, true),

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
      const answers = firstPerCollationKey(details.answers, (answer) => answer.questionKey);
      refuseWiderThan(
        'a question key',
        QUESTION_KEY_MAX,
        answers.map((answer) => answer.questionKey),
      );
      const report = { reportId: [SHORT_TEXT, reportId] } as const;
      const run = { runId: [UniqueIdentifier, runId] } as const;
      const certificate = { ...report, certificateNumber: [LONG_TEXT, certificateNumber] } as const;
      const positioned = answers.map((answer, position) => ({ position, ...answer }));
      const newAnswers = { ...report, ...run, answers: [LONG_TEXT, JSON.stringify(positioned)] } as const;
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

    async heldReportsOn({ from, to }) {
      const days = { ...ledgers, fromDay: [SHORT_TEXT, from], toDay: [SHORT_TEXT, to] } as const;
      const { recordset } = await single((on) => query<HeldReportRow>(on, HELD_REPORTS_ON, days));
      return heldReportsById(recordset);
    },

    async heldReports(reportIds) {
      const ids = { ...ledgers, ...idList(reportIds) } as const;
      return transact(async (transaction) => {
        const held = await query<HeldReportRow>(transaction, HELD_REPORTS, ids);
        const ledgerOnly = await query<{ reportId: string }>(transaction, LEDGER_ONLY_REPORTS, ids);
        return { held: heldReportsById(held.recordset), ledgerOnly: ledgerOnly.recordset.map((row) => row.reportId).sort() };
      });
    },

    async storedDetails(reportId) {
      const report = { reportId: [SHORT_TEXT, reportId] } as const;
      return transact(async (transaction) => {
        const stored = (await query<{ certificateNumber: string | null }>(transaction, STORED_CERTIFICATE, report)).recordset[0];
        if (!stored) return null;
        const answers = (await query<Answer>(transaction, STORED_ANSWERS, report)).recordset;
        return { reportId, answers: [...answers].sort(byQuestionKey), certificateNumber: stored.certificateNumber };
      });
    },

    async requestRefresh(reportIds) {
      const { recordset } = await transact((transaction) => query<{ requested: number }>(transaction, REQUEST_REFRESH, idList(reportIds)));
      return recordset[0]?.requested ?? 0;
    },

    async forgetLedgerOfMissing(reportIds) {
      const forget = { ...ledgers, ...idList(reportIds) } as const;
      const { recordset } = await transact((transaction) => query<{ forgotten: number }>(transaction, FORGET_LEDGER_OF_MISSING, forget));
      return recordset[0]?.forgotten ?? 0;
    },

    async deleteGoneReport({ reportId, runId }) {
      const gone = { ...ledgers, reportId: [SHORT_TEXT, reportId], runId: [UniqueIdentifier, runId] } as const;
      const { recordset } = await transact((transaction) => query<{ deleted: number }>(transaction, DELETE_GONE_REPORT, gone));
      return recordset[0]?.deleted === 1;
    },

    async deletedReports(limit) {
      if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number >= 0, got ${limit}`);
      type Row = { reportId: string; completedAt: string; deletedUtc: string; deletedByRunId: string; answers: number };
      const { recordset } = await single((on) => query<Row>(on, DELETED_REPORTS, { limit: [Int, limit] }));
      return recordset.map(({ completedAt, deletedUtc, ...row }) => ({
        ...row,
        completedAtUtc: fromSqliteUtc(completedAt),
        deletedUtc: fromSqliteUtc(deletedUtc),
      }));
    },

    async startRun({ runId, job, correlationId }) {
      const run = { runId: [UniqueIdentifier, runId], job: [SHORT_TEXT, job], correlationId: [SHORT_TEXT, correlationId] } as const;
      await single((on) => query(on, START_RUN, run));
    },

    async recordMissedDay({ day, error }) {
      // One id for this call and all its retries: the failure counts once.
      const missed = { day: [SHORT_TEXT, day], error: [LONG_TEXT, error], attemptId: [UniqueIdentifier, randomUUID()] } as const;
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
