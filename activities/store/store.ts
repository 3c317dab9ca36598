import type { ReportDetails, SummaryReport } from '../goaudits/records';

import type { JobName } from '../../shared/jobs';
import type { MissedDay, QuarantinedReport } from '../../shared/records';

export { ENRICHMENT_JOB, INGESTION_JOB, type JobName } from '../../shared/jobs';

export type RunStatus = 'Running' | 'Succeeded' | 'Failed' | 'Cancelled';

/** What one summary window did to the store. */
export interface SavedWindow {
  /** Ids inserted by this call (new to GoAuditsReports), in input order. */
  ingested: string[];
  /** Ids already in ProcessedItems('GoAuditsIngestion') before this call. */
  alreadyProcessed: number;
  /**
   * Ids stored before this call whose details are now to be fetched again (in input order):
   * the summary shows them edited (a later `Updated_On`, or a changed fingerprint), or the
   * window asked to refresh every stored report.
   */
  refresh: string[];
  /** The watermark after the call (ISO `Z`), or null when none is set. */
  watermarkUtc: string | null;
}

/** What storing one report's details did. */
export interface SavedDetails {
  /** The certificate number was written because the report had none. */
  certUpdated: boolean;
  /** Answer rows inserted (existing keys are left as they are). */
  answersInserted: number;
  /** ProcessedItems('GoAuditsEnrichment', id) was inserted by this call. */
  markedProcessed: boolean;
  /** The report has answers but still no certificate number after this call. */
  certMissing: boolean;
  /** A refresh was asked for: the report's answers were replaced by these (see saveReportDetails). */
  refreshed: boolean;
}

/** What the store holds of one report, as a reconcile compares it with GoAudits. */
export interface HeldReport {
  reportId: string;
  /** ISO `Z`: the audit's latest `Updated_On` as stored (CompletedAtUtc). */
  completedAtUtc: string;
  /** The summary fingerprint last seen; null for reports stored before fingerprints were kept. */
  summaryFingerprint: string | null;
  /** Answer rows stored. */
  answers: number;
  certificateNumber: string | null;
  quarantined: boolean;
  refreshRequested: boolean;
  /** ProcessedItems('GoAuditsIngestion', id) exists. */
  ingestionLedger: boolean;
  /** ProcessedItems('GoAuditsEnrichment', id) exists. */
  enrichmentLedger: boolean;
}

/** One report deleted by a reconcile because GoAudits no longer lists it (GoAuditsDeletedReports). */
export interface DeletedReport {
  reportId: string;
  /** ISO `Z`: its CompletedAtUtc when it was deleted. */
  completedAtUtc: string;
  /** ISO `Z`. */
  deletedUtc: string;
  deletedByRunId: string;
  /** Answer rows it had. */
  answers: number;
}

/**
 * One caller's try for its turn in the call lane. A start goes to a caller only when no waiter
 * of a better (lower) priority is registered and unexpired, and only when it is at most `aheadMs`
 * away, so no start is held far ahead of its time: a better caller that comes waits at most
 * about one spacing. Starts are `spacingMs` apart. While a caller of priority below
 * LONG_RUN_PRIORITY had a start within the last `othersActiveMs`, long-run starts are also
 * `longRunSpacingMs` apart (the spacing over the long runs' share). With `maxCallsPerDay`, the
 * run's calls of the day (`floor(nowMs / dayMs)`) are counted with each grant, and a run at its
 * budget gets none.
 */
export interface LaneTurnRequest {
  /** One per call: the waiter's row while it waits. */
  waiterId: string;
  priority: number;
  runKey?: string;
  maxCallsPerDay?: number;
  nowMs: number;
  spacingMs: number;
  aheadMs: number;
  longRunSpacingMs: number;
  othersActiveMs: number;
  dayMs: number;
  /** A waiter that has not asked again for this long is forgotten (its process died). */
  waiterTtlMs: number;
}

export type LaneTurn =
  /** Go at `startAtMs`; the refused token and the run's calls of the day (with this one) as they stood then. */
  | { kind: 'granted'; startAtMs: number; refusedToken: string | null; callsToday: number }
  /** Not yet: the lane's next start this caller could take, the waiters before it, and the end of the last 429 hold. */
  | { kind: 'wait'; nextStartAtMs: number; ahead: number; heldUntilMs: number }
  /** The run's budget for the day is spent; it resets at `resetAtMs`. */
  | { kind: 'budget-spent'; callsToday: number; resetAtMs: number };

/**
 * The store contract, in the pipeline's words. SQLite (embedded default) and SQL Server
 * (production) implement it; one shared test suite runs against each.
 * Every method is idempotent where a retry could repeat it.
 */
export interface Store {
  /** Creates missing tables and indexes (versioned, create-if-missing). */
  migrate(): Promise<void>;

  /** The job's watermark (ISO `Z`), or null when the row or value is missing. */
  watermark(job: JobName): Promise<string | null>;
  /** Sets the watermark to exactly this value (operator's rewind). */
  setWatermark(job: JobName, watermarkUtc: string | null): Promise<void>;
  /** Moves the watermark to this value if it is later than the current one (never backwards): over summary windows read ahead, once all before it are saved. */
  advanceWatermark(job: JobName, watermarkUtc: string): Promise<void>;

  /**
   * In one transaction: inserts reports not stored yet (CompletedAtUtc, JobRunId = runId),
   * records ProcessedItems('GoAuditsIngestion', id) for them, and, when advanceWatermark,
   * moves the watermark to the newest completedAtUtc of `reports`, but never past
   * `watermarkNotAfterUtc` (a report dated in the future must not stop the hourly runs), if
   * that is later than the current one (never backwards).
   * A report stored already is edited when its completedAtUtc is later than the stored
   * CompletedAtUtc (which then moves to it: CompletedAtUtc is the audit's latest `Updated_On`)
   * or its summary fingerprint differs from the one last seen (a report stored before
   * fingerprints were kept adopts its first one silently). An edited report, or with
   * `refreshStored` every stored one, gets a refresh request: its details are to be fetched
   * again, and it stays pending enrichment until a refresh saves them.
   */
  saveSummaryWindow(args: {
    runId: string;
    reports: SummaryReport[];
    advanceWatermark: boolean;
    watermarkNotAfterUtc?: string;
    refreshStored?: boolean;
  }): Promise<SavedWindow>;

  /**
   * The selection rule: reports with no answers or an empty certificate number, not in
   * ProcessedItems('GoAuditsEnrichment'), and reports with a refresh request; of those, the ones
   * not quarantined and not claimed by a run (unexpired), newest CompletedAtUtc first, at most
   * `limit`.
   */
  pendingEnrichment(limit: number): Promise<string[]>;

  /**
   * Counts one more failed enrichment of the report, across runs, with its error (cut to 1000
   * characters); at `quarantineAfter` failures the report is quarantined. Returns the failures
   * so far and whether the report is quarantined now.
   */
  recordEnrichmentFailure(args: {
    reportId: string;
    error: string;
    quarantineAfter: number;
  }): Promise<{ failures: number; quarantined: boolean }>;
  /**
   * Claims reports for one run's enrichment until `untilUtc` (ISO `Z`): a report not yet in
   * ProcessedItems('GoAuditsEnrichment'), or with a refresh request, that no other run holds an
   * unexpired claim on is claimed (or its claim renewed) for `runId`, as of now. Returns the
   * reports claimed, in input order; the others are being, or have been, enriched by another run.
   */
  claimReports(args: { reportIds: string[]; runId: string; untilUtc: string }): Promise<string[]>;
  /**
   * Claims these reports for a reconcile's details check until `untilUtc` (ISO `Z`), whatever
   * their enrichment state: each one that no other run holds an unexpired claim on is claimed (or
   * its claim renewed) for `runId`, as of now, so no other run calls for its details meanwhile.
   * Returns the reports claimed, in input order; releaseReports drops the claims.
   */
  claimForCheck(args: { reportIds: string[]; runId: string; untilUtc: string }): Promise<string[]>;
  /** Drops the run's claims on these reports. */
  releaseReports(args: { reportIds: string[]; runId: string }): Promise<void>;
  /** Quarantined reports, latest failure first, at most `limit`. */
  quarantinedReports(limit: number): Promise<QuarantinedReport[]>;
  /** Forgets the failures of these quarantined reports (all of them when absent), so sweeps take them again; returns how many. */
  requeueQuarantined(reportIds?: string[]): Promise<number>;

  /**
   * Stored reports per day over the days their CompletedAtUtc spans (first to last day, both
   * included), for a dry run's estimate; null when no report is stored.
   */
  storedReportsPerDay(): Promise<number | null>;
  /** Stored reports whose CompletedAtUtc falls on the days `from`..`to` (YYYY-MM-DD, both included). */
  storedReportsIn(days: { from: string; to: string }): Promise<number>;

  /**
   * In one transaction: sets the certificate number when the report has none and one is
   * given; inserts answers whose key is not stored yet; when the report has answers (stored
   * or given), inserts ProcessedItems('GoAuditsEnrichment', id) if missing and forgets the
   * report's enrichment failures.
   * A report with a refresh request, given answers, is refreshed instead: its answers are
   * replaced by the given ones (added, changed and removed questions alike), its certificate
   * set to the given one unless that is blank, and the request is lifted when it is older than
   * this run's claim on the report (an edit seen after the claim keeps it, for the next run).
   */
  saveReportDetails(args: { runId: string; details: ReportDetails }): Promise<SavedDetails>;

  /** Reports whose CompletedAtUtc falls on the days `from`..`to` (YYYY-MM-DD, UTC, both included), by id. */
  heldReportsOn(days: { from: string; to: string }): Promise<HeldReport[]>;
  /**
   * Of these ids, the ones stored (on any day), by id; and, separately, those only a ledger
   * claims (a ProcessedItems row of either job but no report row), by id.
   */
  heldReports(reportIds: string[]): Promise<{ held: HeldReport[]; ledgerOnly: string[] }>;
  /** The stored answers (sorted by questionKey, see byQuestionKey) and certificate of one report; null when not stored. */
  storedDetails(reportId: string): Promise<ReportDetails | null>;
  /**
   * Asks for a refresh of these stored reports as of now, as an edit seen in the summary does:
   * each stays pending enrichment until a refresh saves its details (answers replaced, the
   * enrichment ledger row written if missing). Ids not stored are skipped; returns how many
   * stored reports got a request.
   */
  requestRefresh(reportIds: string[]): Promise<number>;
  /**
   * Drops the ledger rows (ProcessedItems, both jobs) of these ids that have no report row (a
   * ledger that claims a missing report), so the next saveSummaryWindow stores them again and
   * enrichment then takes them; returns how many of the ids had rows dropped.
   */
  forgetLedgerOfMissing(reportIds: string[]): Promise<number>;
  /**
   * Deletes one report gone from GoAudits, in one transaction: unless another run holds an
   * unexpired claim on it (then false, and nothing changes), it is copied to
   * GoAuditsDeletedReports, and its answers, report row, ledger rows (both jobs), version,
   * failures and claims are deleted. Returns true when the report is deleted, by this call or
   * by an earlier one of the same run (a retry); false when another run holds it, or when it is
   * not stored and this run did not delete it.
   */
  deleteGoneReport(args: { reportId: string; runId: string }): Promise<boolean>;
  /** Deleted reports, latest first, at most `limit`. */
  deletedReports(limit: number): Promise<DeletedReport[]>;

  /** Inserts the JobRunHistory row `Running` unless a row with this RunId exists. */
  startRun(args: { runId: string; job: JobName; correlationId: string }): Promise<void>;
  /** Records one more failure of a summary day (error cut to 1000 characters). */
  recordMissedDay(args: { day: string; error: string }): Promise<void>;
  /** The summary days still to read again, oldest first. */
  missedDays(): Promise<MissedDay[]>;
  /** Forgets the missed days within `startDate`..`endDate` (a window over them went through). */
  forgetMissedDays(window: { startDate: string; endDate: string }): Promise<void>;

  /** The job's rows still `Running`, to find those whose workflow ended without closing them. */
  openRuns(job: JobName): Promise<{ runId: string; correlationId: string | null }[]>;
  /** Sets Status, Message (cut to 4000) and RunCompletedUtc; a second call changes nothing. */
  finishRun(args: { runId: string; status: Exclude<RunStatus, 'Running'>; message: string }): Promise<void>;

  /**
   * The call lane every worker shares, so the GoAudits rate limit holds across processes, with
   * priorities and daily budgets (see LaneTurnRequest). One atomic step: grants the caller its
   * start, or registers it as a waiter (renewing its expiry) and says where the lane stands, or
   * says its run's budget for the day is spent.
   */
  takeLaneTurn(request: LaneTurnRequest): Promise<LaneTurn>;
  /** Forgets a waiter that stops waiting (its call was cancelled or sent away). */
  leaveLane(waiterId: string): Promise<void>;
  /** No call starts before `untilMs` (a 429's `Retry-After`, for every worker); never moves the lane back. */
  holdApiCalls(untilMs: number): Promise<void>;
  /**
   * The fingerprint (never the token itself) of the token GoAudits last refused, that every
   * worker checks before a call; null when none is refused. `refuseToken(null)` lets the next
   * call test the same token again.
   */
  refusedToken(): Promise<string | null>;
  refuseToken(fingerprint: string | null): Promise<void>;

  close(): Promise<void>;
}
