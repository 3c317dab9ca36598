import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrateSqlite } from './sqlite-schema';
import { prepareSqliteStatements, type SqliteStatements } from './sqlite-statements';
import { fromSqliteUtc, toSqliteUtc } from './sqlite-time';
import { heldReportsById } from './held-report-row';
import { byQuestionKey } from './question-key-order';
import type { ReportDetails, SummaryReport } from '../goaudits/records';
import {
  ENRICHMENT_JOB,
  INGESTION_JOB,
  type JobName,
  type LaneTurn,
  type LaneTurnRequest,
  type SavedDetails,
  type SavedWindow,
  type Store,
} from './store';
import { decideLaneTurn } from './lane-turn';
import { UnknownReportError } from './unknown-report-error';

/** How long a write waits for another process's write lock before failing. */
const BUSY_TIMEOUT_MS = 10_000;

/**
 * Opens the SQLite file at `path` (creating it and its folder) as a Store. WAL journal, so an
 * operator's query can read while the worker writes; each multi-statement method is one
 * IMMEDIATE transaction, so concurrent writers queue on the busy timeout instead of failing.
 * Call migrate() before first use of a new file.
 */
export function openSqliteStore(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  db.pragma('journal_mode = WAL');

  let prepared: SqliteStatements | undefined;
  const sql = (): SqliteStatements => (prepared ??= prepareSqliteStatements(db));

  const watermark = (job: JobName): string | null => {
    const stored = sql().watermark.get(job)?.WatermarkUtc;
    return stored == null ? null : fromSqliteUtc(stored);
  };

  /** A stored report the summary shows again: true when its details are to be fetched again. */
  const seenAgain = ({ id, completedAtUtc, summaryFingerprint }: SummaryReport, refreshStored: boolean): boolean => {
    const q = sql();
    const stored = q.storedVersion.get(id)!;
    const moved = q.moveCompletedAt.run({ reportId: id, completedAt: toSqliteUtc(completedAtUtc) }).changes === 1;
    const edited = moved || (stored.fingerprint !== null && stored.fingerprint !== summaryFingerprint);
    const refresh = refreshStored || edited;
    q.recordVersion.run({ reportId: id, fingerprint: summaryFingerprint, refresh: refresh ? 1 : 0 });
    return refresh;
  };

  const saveSummaryWindow = db.transaction(
    ({
      runId,
      reports,
      advanceWatermark,
      watermarkNotAfterUtc,
      refreshStored = false,
    }: Parameters<Store['saveSummaryWindow']>[0]): SavedWindow => {
      const q = sql();
      const ingested: string[] = [];
      const refresh: string[] = [];
      let alreadyProcessed = 0;
      let newest: string | undefined;
      const seen = new Set<string>();
      for (const report of reports) {
        const { id, completedAtUtc, summaryFingerprint } = report;
        const completedAt = toSqliteUtc(completedAtUtc);
        if (newest === undefined || completedAt > newest) newest = completedAt;
        if (seen.has(id)) continue;
        seen.add(id);
        if (q.isProcessed.get(INGESTION_JOB, id)) alreadyProcessed++;
        if (q.insertReport.run(id, completedAt, runId).changes === 1) {
          ingested.push(id);
          q.markProcessed.run(INGESTION_JOB, id, runId);
          q.recordVersion.run({ reportId: id, fingerprint: summaryFingerprint, refresh: 0 });
        } else if (seenAgain(report, refreshStored)) {
          refresh.push(id);
        }
      }
      const notAfter = watermarkNotAfterUtc === undefined ? undefined : toSqliteUtc(watermarkNotAfterUtc);
      if (notAfter !== undefined && newest !== undefined && newest > notAfter) newest = notAfter;
      if (advanceWatermark && newest !== undefined) q.advanceWatermark.run(INGESTION_JOB, newest);
      return { ingested, alreadyProcessed, refresh, watermarkUtc: watermark(INGESTION_JOB) };
    },
  );

  /** A refresh: the given answers replace the stored ones; the latest non-blank certificate wins. */
  const refreshReport = (runId: string, { reportId, answers, certificateNumber }: ReportDetails): SavedDetails => {
    const q = sql();
    const certUpdated = q.replaceCertificate.run({ reportId, certificateNumber }).changes === 1;
    q.removeAnswers.run(reportId);
    let answersInserted = 0;
    for (const answer of answers) answersInserted += q.insertAnswer.run({ ...answer, reportId, runId }).changes;
    const markedProcessed = q.markProcessed.run(ENRICHMENT_JOB, reportId, runId).changes === 1;
    q.forgetFailures.run(reportId);
    q.liftRefresh.run({ reportId, runId });
    const certMissing = q.certificateMissing.get(reportId) === 1;
    return { certUpdated, answersInserted, markedProcessed, certMissing, refreshed: true };
  };

  const saveReportDetails = db.transaction(({ runId, details }: Parameters<Store['saveReportDetails']>[0]): SavedDetails => {
    const q = sql();
    const { reportId, answers, certificateNumber } = details;
    const before = q.reportState.get(reportId);
    if (!before) throw new UnknownReportError(reportId);
    if (before.refreshRequested === 1 && answers.length > 0) return refreshReport(runId, details);
    const certUpdated = q.fillCertificate.run({ reportId, certificateNumber }).changes === 1;
    let answersInserted = 0;
    for (const answer of answers) answersInserted += q.insertAnswer.run({ ...answer, reportId, runId }).changes;
    const hasAnswers = before.hasAnswers === 1 || answersInserted > 0;
    const markedProcessed = hasAnswers && q.markProcessed.run(ENRICHMENT_JOB, reportId, runId).changes === 1;
    if (hasAnswers) q.forgetFailures.run(reportId);
    const certMissing = hasAnswers && before.certMissing === 1 && !certUpdated;
    return { certUpdated, answersInserted, markedProcessed, certMissing, refreshed: false };
  });

  const takeLaneTurn = db.transaction((request: LaneTurnRequest): LaneTurn => {
    const q = sql();
    const { waiterId, priority, runKey, maxCallsPerDay, nowMs } = request;
    const lane = q.lane.get();
    if (!lane) throw new Error("the GoAudits call lane has no row (LaneName 'GoAudits'): apply the schema migrations");
    q.forgetExpiredWaiters.run(nowMs);
    const waiters = q.waiters.all();
    const counted = runKey !== undefined && maxCallsPerDay !== undefined;
    const day = Math.floor(nowMs / request.dayMs);
    const self = {
      queuedAtMs: waiters.find((w) => w.waiterId === waiterId)?.queuedAtMs ?? nowMs,
      callsToday: counted ? (q.callsToday.get(runKey, day) ?? 0) : 0,
    };
    const others = waiters.filter((w) => w.waiterId !== waiterId);
    const { turn, move } = decideLaneTurn(lane, others, self, request);
    if (turn.kind === 'wait') {
      q.registerWaiter.run({ waiterId, priority, nowMs, expiresAtMs: nowMs + request.waiterTtlMs });
      return turn;
    }
    q.leaveLane.run(waiterId);
    if (move) q.moveLane.run(move);
    if (move && counted) q.countCall.run(runKey, day);
    return turn;
  });

  /** Claims those of the reports that `wanted` keeps (all when absent) and no other run holds an unexpired claim on. */
  const claim = db.transaction(
    ({ reportIds, runId, untilUtc }: Parameters<Store['claimReports']>[0], wanted?: (reportId: string) => boolean): string[] => {
      const until = toSqliteUtc(untilUtc);
      return reportIds.filter((reportId) => (wanted?.(reportId) ?? true) && sql().claim.run({ reportId, runId, until }).changes === 1);
    },
  );
  /** Not yet enriched, or with a refresh request: what an enrichment claims. */
  const toEnrich = (reportId: string) =>
    !sql().isProcessed.get(ENRICHMENT_JOB, reportId) || sql().refreshRequested.get(reportId) !== undefined;
  const releaseReports = db.transaction(({ reportIds, runId }: Parameters<Store['releaseReports']>[0]) => {
    for (const reportId of reportIds) sql().release.run(reportId, runId);
  });

  /** The ledgers' job names, as the statements take them. */
  const ledgers = { ingestionJob: INGESTION_JOB, enrichmentJob: ENRICHMENT_JOB };

  const heldReports = db.transaction((reportIds: string[]) => {
    const ids = JSON.stringify(reportIds);
    const held = heldReportsById(sql().heldReports.all({ ...ledgers, reportIds: ids }));
    const ledgerOnly = sql()
      .ledgerOnly.all({ ...ledgers, reportIds: ids })
      .sort();
    return { held, ledgerOnly };
  });

  const storedDetails = db.transaction((reportId: string): ReportDetails | null => {
    const report = sql().storedCertificate.get(reportId);
    if (!report) return null;
    return { reportId, answers: sql().storedAnswers.all(reportId).sort(byQuestionKey), certificateNumber: report.certificateNumber };
  });

  const requestRefresh = db.transaction((reportIds: string[]): number =>
    [...new Set(reportIds)].reduce((n, reportId) => n + sql().requestRefresh.run(reportId).changes, 0),
  );

  const forgetLedgerOfMissing = db.transaction(
    (reportIds: string[]): number =>
      [...new Set(reportIds)].filter((reportId) => sql().forgetLedgerOfMissing.run({ ...ledgers, reportId }).changes > 0).length,
  );

  const deleteGoneReport = db.transaction(({ reportId, runId }: Parameters<Store['deleteGoneReport']>[0]): boolean => {
    const q = sql();
    if (!q.storedCertificate.get(reportId)) return q.deletedBy.get({ reportId, runId }) !== undefined;
    if (q.claimedByAnotherRun.get({ reportId, runId })) return false;
    q.archiveReport.run({ reportId, runId });
    q.removeAnswers.run(reportId);
    q.removeReport.run(reportId);
    q.removeLedger.run({ ...ledgers, reportId });
    q.removeVersion.run(reportId);
    q.forgetFailures.run(reportId);
    q.removeClaim.run(reportId);
    return true;
  });

  const requeueQuarantined = db.transaction((reportIds?: string[]): number => {
    if (!reportIds) return sql().requeueAll.run().changes;
    return reportIds.reduce((n, reportId) => n + sql().requeue.run(reportId).changes, 0);
  });

  return {
    async migrate() {
      migrateSqlite(db);
    },
    async watermark(job) {
      return watermark(job);
    },
    async advanceWatermark(job, watermarkUtc) {
      sql().advanceWatermark.run(job, toSqliteUtc(watermarkUtc));
    },
    async setWatermark(job, watermarkUtc) {
      sql().setWatermark.run(job, watermarkUtc === null ? null : toSqliteUtc(watermarkUtc));
    },
    async storedReportsPerDay() {
      const { reports, days } = sql().reportsAndDays.get()!;
      return days === null ? null : reports / days;
    },
    async storedReportsIn({ from, to }) {
      return sql().storedReportsIn.get(from, to)!;
    },
    async saveSummaryWindow(args) {
      return saveSummaryWindow.immediate(args);
    },
    async pendingEnrichment(limit) {
      if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number >= 0, got ${limit}`);
      return sql().pendingEnrichment.all(ENRICHMENT_JOB, limit);
    },
    async recordEnrichmentFailure(args) {
      const { failures, quarantined } = sql().recordFailure.get(args)!;
      return { failures, quarantined: quarantined === 1 };
    },
    async claimReports(args) {
      return claim.immediate(args, toEnrich);
    },
    async claimForCheck(args) {
      return claim.immediate(args);
    },
    async releaseReports(args) {
      releaseReports.immediate(args);
    },
    async quarantinedReports(limit) {
      return sql()
        .quarantined.all(limit)
        .map((row) => ({ ...row, lastError: row.lastError ?? '', lastFailedUtc: fromSqliteUtc(row.lastFailedUtc) }));
    },
    async requeueQuarantined(reportIds) {
      return requeueQuarantined.immediate(reportIds);
    },
    async saveReportDetails(args) {
      return saveReportDetails.immediate(args);
    },
    async heldReportsOn({ from, to }) {
      return heldReportsById(sql().heldReportsOn.all({ ...ledgers, from, to }));
    },
    async heldReports(reportIds) {
      return heldReports(reportIds);
    },
    async storedDetails(reportId) {
      return storedDetails(reportId);
    },
    async requestRefresh(reportIds) {
      return requestRefresh.immediate(reportIds);
    },
    async forgetLedgerOfMissing(reportIds) {
      return forgetLedgerOfMissing.immediate(reportIds);
    },
    async deleteGoneReport(args) {
      return deleteGoneReport.immediate(args);
    },
    async deletedReports(limit) {
      if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number >= 0, got ${limit}`);
      return sql()
        .deletedReports.all(limit)
        .map(({ completedAt, deletedUtc, ...row }) => ({
          ...row,
          completedAtUtc: fromSqliteUtc(completedAt),
          deletedUtc: fromSqliteUtc(deletedUtc),
        }));
    },
    async startRun({ runId, job, correlationId }) {
      sql().startRun.run(runId, job, correlationId);
    },
    async recordMissedDay(args) {
      sql().recordMissedDay.run(args);
    },
    async missedDays() {
      return sql()
        .missedDays.all()
        .map((row) => ({ ...row, lastError: row.lastError ?? '', lastFailedUtc: fromSqliteUtc(row.lastFailedUtc) }));
    },
    async forgetMissedDays({ startDate, endDate }) {
      sql().forgetMissedDays.run(startDate, endDate);
    },
    async openRuns(job) {
      return sql().openRuns.all(job);
    },
    async finishRun({ runId, status, message }) {
      sql().finishRun.run(status, message, runId);
    },
    async takeLaneTurn(request) {
      return takeLaneTurn.immediate(request);
    },
    async leaveLane(waiterId) {
      sql().leaveLane.run(waiterId);
    },
    async holdApiCalls(untilMs) {
      sql().holdLane.run({ untilMs });
    },
    async refusedToken() {
      return sql().refusedToken.get() ?? null;
    },
    async refuseToken(fingerprint) {
      sql().refuseToken.run(fingerprint);
    },
    async close() {
      db.close();
    },
  };
}
