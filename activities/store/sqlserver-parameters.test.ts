import { randomUUID } from 'node:crypto';
import { Bit, type ConnectionPool } from 'mssql';
import { SQLSERVER_STATEMENTS } from './sqlserver-statements';
import { sqlServerStore } from './sqlserver-store';
import { INGESTION_JOB } from './store';

/** One statement as the store sent it: its text, the parameters it declared and their types and values. */
interface Sent {
  statement: string;
  parameters: string[];
  inputs: Record<string, { type: unknown; value: unknown }>;
}

/** A HELD_REPORTS row: answers, no certificate, both ledgers, quarantined. */
const heldRow = (reportId: string) => ({
  reportId,
  completedAt: '2025-01-02 00:00:00',
  summaryFingerprint: null,
  answers: 2,
  certificateNumber: null,
  quarantined: 1,
  refreshRequested: 0,
  ingestionLedger: 1,
  enrichmentLedger: 1,
});

/** What a statement answers in this fake: enough rows for the store to go on. */
const answers: Record<string, { recordset?: unknown[]; output?: Record<string, unknown>; rowsAffected?: number[] }> = {
  APPLIED_MIGRATIONS: {},
  DATABASE_COMPATIBILITY: { recordset: [{ databaseName: 'goaudits', compatibilityLevel: 150 }] },
  LOCK_SCHEMA: { output: { locked: 0 } },
  COUNT_PROCESSED_REPORTS: { recordset: [{ alreadyProcessed: 2 }] },
  // Of the window R2, R1, R3: R3 and R2 were stored and are asked to refresh (in no order), R1 is new.
  SEE_STORED_REPORTS_AGAIN: { recordset: [{ reportId: 'R3' }, { reportId: 'R2' }] },
  INSERT_NEW_REPORTS: { recordset: [{ GoAuditsReportId: 'R1' }] },
  STORED_REPORTS_IN: { recordset: [{ reports: 7 }] },
  REPORTS_AND_DAYS: { recordset: [{ reports: 0, days: null }] },
  // The first details call finds no refresh request; saveReportDetails below then asks for one.
  REPORT_STATE: { recordset: [{ certMissing: 1, hasAnswers: 0, refreshRequested: 0 }] },
  INSERT_NEW_ANSWERS: { recordset: [] },
  // RECORD_ENRICHMENT_FAILURE finds no row (the default), so the store inserts the first failure.
  RECORD_FIRST_ENRICHMENT_FAILURE: { recordset: [{ failures: 1, quarantined: 1 }] },
  QUARANTINED_REPORTS: { recordset: [{ reportId: 'R1', failures: 1, lastError: null, lastFailedUtc: '2025-01-03 04:05:06' }] },
  // R2 is renewed or taken over, R3 had no claim; R1 is another run's.
  CLAIM_REPORTS: { recordset: [{ reportId: 'R2' }] },
  CLAIM_UNCLAIMED_REPORTS: { recordset: [{ reportId: 'R3' }] },
  TAKE_LANE_TURN: { recordset: [{ kind: 'granted', startAtMs: '1800000000000', refusedToken: null, callsToday: 3 }] },
  // The day has not failed before, so the store inserts its first failure.
  RECORD_MISSED_DAY: { rowsAffected: [0] },
  MISSED_DAYS: { recordset: [{ day: '2025-10-01', failures: 2, lastError: null, lastFailedUtc: '2025-10-02 03:04:05' }] },
  HELD_REPORTS_ON: { recordset: [heldRow('R2'), heldRow('R1')] },
  HELD_REPORTS: { recordset: [heldRow('R3')] },
  LEDGER_ONLY_REPORTS: { recordset: [{ reportId: 'R5' }, { reportId: 'R4' }] },
  STORED_CERTIFICATE: { recordset: [{ certificateNumber: 'C-1' }] },
  STORED_ANSWERS: {
    recordset: [
      { questionKey: 'b', answerValue: 'x', section: null, questionText: null },
      { questionKey: 'a', answerValue: null, section: 'S', questionText: 'Q?' },
    ],
  },
  REQUEST_REFRESH: { recordset: [{ requested: 2 }] },
  FORGET_LEDGER_OF_MISSING: { recordset: [{ forgotten: 1 }] },
  DELETE_GONE_REPORT: { recordset: [{ deleted: 1 }] },
  DELETED_REPORTS: {
    recordset: [
      { reportId: 'R1', completedAt: '2025-01-02 00:00:00', deletedUtc: '2025-01-05 06:07:08', deletedByRunId: 'run-1', answers: 3 },
    ],
  },
};

/** The statement's name in SQLSERVER_STATEMENTS; empty when it is none of them. */
const nameOf = (statement: string) => Object.entries(SQLSERVER_STATEMENTS).find(([, sql]) => sql === statement)?.[0] ?? '';

/**
 * A pool that records what the store sends and runs nothing: no SQL Server is needed to see
 * that the TypeScript and the T-SQL agree on the parameters.
 */
function recordingPool(sent: Sent[]): ConnectionPool {
  const request = () => {
    const parameters: string[] = [];
    const inputs: Sent['inputs'] = {};
    const fake = {
      input: (name: string, type: unknown, value: unknown) => ((inputs[name] = { type, value }), parameters.push(name), fake),
      output: (name: string) => (parameters.push(name), fake),
      query: async (statement: string) => {
        sent.push({ statement, parameters, inputs });
        const { recordset = [], output = {}, rowsAffected = [1] } = answers[nameOf(statement)] ?? {};
        return { recordset: nameOf(statement) === 'APPLIED_MIGRATIONS' ? undefined : recordset, output, rowsAffected };
      },
    };
    return fake;
  };
  const transaction = { begin: async () => undefined, commit: async () => undefined, rollback: async () => undefined, request };
  return { request, transaction: () => transaction, close: async () => undefined } as unknown as ConnectionPool;
}

/** The @parameters a statement reads: lower camel case by convention, minus the variables it DECLAREs. */
function parametersOf(statement: string): string[] {
  const declared = new Set([...statement.matchAll(/DECLARE @(\w+)/g)].map(([, name]) => name));
  const used = [...statement.matchAll(/@([a-z]\w*)/g)].map(([, name = '']) => name).filter((name) => !declared.has(name));
  return [...new Set(used)].sort();
}

describe('SQL Server store parameters (no server)', () => {
  const sent: Sent[] = [];
  let reservedStart: unknown;
  let recorded: unknown;
  let quarantined: unknown;
  let requeued: unknown;
  let claimed: unknown;
  let checkClaimed: unknown;
  /** @anyState of claimReports' two statements, then claimForCheck's. */
  let anyState: unknown[];
  let missed: unknown;
  let window: unknown;
  let storedIn: unknown;
  let details: unknown[];
  let reconciled: Record<string, unknown>;
  /** The statements of each saveReportDetails call, by name. */
  const saves: string[][] = [];

  beforeAll(async () => {
    const store = sqlServerStore(recordingPool(sent));
    const runId = randomUUID();
    await store.migrate();
    await store.watermark(INGESTION_JOB);
    await store.setWatermark(INGESTION_JOB, '2025-01-01T00:00:00Z');
    const report = (id: string) => ({ id, completedAtUtc: '2025-01-02T00:00:00Z', summaryFingerprint: `fingerprint of ${id}` });
    window = await store.saveSummaryWindow({
      runId,
      reports: [report('R2'), report('R1'), report('R3'), report('R2')],
      advanceWatermark: true,
      refreshStored: true,
    });
    await store.storedReportsPerDay();
    storedIn = await store.storedReportsIn({ from: '2025-01-01', to: '2025-01-02' });
    await store.pendingEnrichment(10);
    recorded = await store.recordEnrichmentFailure({ reportId: 'R1', error: 'HTTP 500', quarantineAfter: 1 });
    quarantined = await store.quarantinedReports(10);
    requeued = [await store.requeueQuarantined(['R1']), await store.requeueQuarantined()];
    claimed = await store.claimReports({ reportIds: ['R3', 'R1', 'R2'], runId, untilUtc: '2025-01-03T05:00:00Z' });
    const first = sent.length;
    checkClaimed = await store.claimForCheck({ reportIds: ['R2', 'R3'], runId, untilUtc: '2025-01-03T05:00:00Z' });
    anyState = sent.slice(first - 2).map(({ inputs }) => inputs.anyState?.value);
    await store.releaseReports({ reportIds: ['R2', 'R3'], runId });
    const answer = { questionKey: '1', answerValue: 'x', section: null, questionText: null };
    const saveDetails = async () => {
      const first = sent.length;
      const saved = await store.saveReportDetails({ runId, details: { reportId: 'R1', answers: [answer], certificateNumber: 'C-1' } });
      saves.push(sent.slice(first).map(({ statement }) => nameOf(statement)));
      return saved;
    };
    details = [await saveDetails()];
    answers.REPORT_STATE = { recordset: [{ certMissing: 1, hasAnswers: 1, refreshRequested: 1 }] };
    details.push(await saveDetails());
    await store.startRun({ runId, job: INGESTION_JOB, correlationId: 'wf-1' });
    await store.recordMissedDay({ day: '2025-10-01', error: 'HTTP 500' });
    missed = await store.missedDays();
    await store.forgetMissedDays({ startDate: '2025-10-01', endDate: '2025-10-03' });
    await store.openRuns(INGESTION_JOB);
    await store.finishRun({ runId, status: 'Succeeded', message: 'done' });
    reservedStart = await store.takeLaneTurn({
      waiterId: 'w-1',
      priority: 3,
      runKey: 'goaudits-backfill-2025-10-01-2025-10-31',
      maxCallsPerDay: 60,
      nowMs: 1_800_000_000_000,
      spacingMs: 105,
      aheadMs: 20,
      longRunSpacingMs: 131.25,
      othersActiveMs: 2000,
      dayMs: 86_400_000,
      waiterTtlMs: 3000,
    });
    await store.leaveLane('w-1');
    await store.refuseToken('f'.repeat(64));
    await store.refusedToken();
    await store.holdApiCalls(1_800_000_002_000);
    reconciled = {
      heldOn: await store.heldReportsOn({ from: '2025-01-01', to: '2025-01-02' }),
      held: await store.heldReports(['R3', 'R4', 'R5']),
      stored: await store.storedDetails('R1'),
      requested: await store.requestRefresh(['R1', 'R2']),
      forgotten: await store.forgetLedgerOfMissing(['R4']),
      deleted: await store.deleteGoneReport({ reportId: 'R1', runId }),
      deletions: await store.deletedReports(10),
    };
    await store.close();
  });

  it('sends every statement of SQLSERVER_STATEMENTS', () => {
    const sentTexts = new Set(sent.map(({ statement }) => statement));
    expect(
      Object.entries(SQLSERVER_STATEMENTS)
        .filter(([, sql]) => !sentTexts.has(sql))
        .map(([name]) => name),
    ).toEqual([]);
  });

  it('returns the ingested and the refreshed reports in input order, each once', () => {
    expect(window).toEqual({ ingested: ['R1'], alreadyProcessed: 2, refresh: ['R2', 'R3'], watermarkUtc: null });
  });

  it('sends the window once per id, in key order (the order its rows are locked in), with its fingerprints, and @refreshStored as a bit', () => {
    const seen = sent.find(({ statement }) => nameOf(statement) === 'SEE_STORED_REPORTS_AGAIN')!;
    expect(JSON.parse(String(seen.inputs.reports?.value))).toEqual(
      ['R1', 'R2', 'R3'].map((id) => ({ id, completedAtUtc: '2025-01-02 00:00:00', summaryFingerprint: `fingerprint of ${id}` })),
    );
    expect(seen.inputs.refreshStored).toEqual({ type: Bit, value: true });
    const inserted = sent.find(({ statement }) => nameOf(statement) === 'INSERT_NEW_REPORTS')!;
    expect(inserted.inputs.reports?.value).toBe(seen.inputs.reports?.value);
  });

  it('counts the stored reports of a range of days', () => {
    expect(storedIn).toBe(7);
  });

  it("saves details today's way without a refresh request, and refreshes with one", () => {
    expect(saves).toEqual([
      ['REPORT_STATE', 'FILL_CERTIFICATE', 'INSERT_NEW_ANSWERS', 'MARK_PROCESSED', 'FORGET_ENRICHMENT_FAILURES'],
      [
        'REPORT_STATE',
        'REPLACE_CERTIFICATE',
        'REMOVE_ANSWERS',
        'INSERT_NEW_ANSWERS',
        'MARK_PROCESSED',
        'FORGET_ENRICHMENT_FAILURES',
        'LIFT_REFRESH_REQUEST',
      ],
    ]);
    expect(details).toEqual([
      { certUpdated: true, answersInserted: 1, markedProcessed: true, certMissing: false, refreshed: false },
      { certUpdated: true, answersInserted: 1, markedProcessed: true, certMissing: false, refreshed: true },
    ]);
  });

  it("locks the report first in every save, so the save's own inserts take no range locks", () => {
    expect(saves.map((names) => names[0])).toEqual(['REPORT_STATE', 'REPORT_STATE']);
    expect(SQLSERVER_STATEMENTS.REPORT_STATE).toMatch(/^DECLARE[^;]*;\nSELECT [^;]*WITH \(UPDLOCK, HOLDLOCK\)[^;]*;\nSELECT /);
    for (const name of ['INSERT_NEW_ANSWERS', 'MARK_PROCESSED', 'REMOVE_ANSWERS', 'FILL_CERTIFICATE', 'REPLACE_CERTIFICATE']) {
      expect([name, SQLSERVER_STATEMENTS[name]]).not.toEqual([name, expect.stringMatching(/HOLDLOCK|UPDLOCK/)]);
    }
  });

  it('returns the granted start as a number (mssql reads a bigint as text)', () => {
    expect(reservedStart).toEqual({ kind: 'granted', startAtMs: 1_800_000_000_000, refusedToken: null, callsToday: 3 });
  });

  it('reads the quarantine from the rows: flags as booleans, times as ISO Z, a missing error as empty, row counts', () => {
    expect(recorded).toEqual({ failures: 1, quarantined: true });
    expect(quarantined).toEqual([{ reportId: 'R1', failures: 1, lastError: '', lastFailedUtc: '2025-01-03T04:05:06Z' }]);
    expect(requeued).toEqual([1, 1]);
  });

  it('returns the claimed reports in input order, those of both statements', () => {
    expect(claimed).toEqual(['R3', 'R2']);
    expect(checkClaimed).toEqual(['R2', 'R3']);
  });

  it("claims for a reconcile's check whatever the enrichment state, and for enrichment only the reports to enrich", () => {
    expect(anyState).toEqual([false, false, true, true]);
  });

  it('reads the missed days from the rows: the day as text, times as ISO Z, a missing error as empty', () => {
    expect(missed).toEqual([{ day: '2025-10-01', failures: 2, lastError: '', lastFailedUtc: '2025-10-02T03:04:05Z' }]);
  });

  it("reads a reconcile's rows: held reports by id with flags as booleans and times as ISO Z, answers by key, counts", () => {
    const held = (reportId: string) => ({
      reportId,
      completedAtUtc: '2025-01-02T00:00:00Z',
      summaryFingerprint: null,
      answers: 2,
      certificateNumber: null,
      quarantined: true,
      refreshRequested: false,
      ingestionLedger: true,
      enrichmentLedger: true,
    });
    expect(reconciled).toEqual({
      heldOn: [held('R1'), held('R2')],
      held: { held: [held('R3')], ledgerOnly: ['R4', 'R5'] },
      stored: {
        reportId: 'R1',
        answers: [
          { questionKey: 'a', answerValue: null, section: 'S', questionText: 'Q?' },
          { questionKey: 'b', answerValue: 'x', section: null, questionText: null },
        ],
        certificateNumber: 'C-1',
      },
      requested: 2,
      forgotten: 1,
      deleted: true,
      deletions: [
        { reportId: 'R1', completedAtUtc: '2025-01-02T00:00:00Z', deletedUtc: '2025-01-05T06:07:08Z', deletedByRunId: 'run-1', answers: 3 },
      ],
    });
  });

  it('declares exactly the parameters each statement reads', () => {
    const mismatched = sent
      .filter(({ statement, parameters }) => parametersOf(statement).join() !== [...parameters].sort().join())
      .map(({ statement, parameters }) => ({ statement: statement.slice(0, 60), reads: parametersOf(statement), declared: parameters }));
    expect(mismatched).toEqual([]);
  });
});

describe('SQL Server store: a window of thousands of reports (no server)', () => {
  it('writes it in chunks of at most 1,000 reports, in key order, adding up the counts', async () => {
    const sent: Sent[] = [];
    const store = sqlServerStore(recordingPool(sent));
    const reports = Array.from({ length: 2_500 }, (_, i) => ({
      id: `R${String(2_500 - i).padStart(4, '0')}`,
      completedAtUtc: '2025-01-02T00:00:00Z',
      summaryFingerprint: 'f',
    }));
    const saved = await store.saveSummaryWindow({ runId: randomUUID(), reports, advanceWatermark: false });
    const chunks = sent
      .filter(({ statement }) => nameOf(statement) === 'INSERT_NEW_REPORTS')
      .map(({ inputs }) => (JSON.parse(String(inputs.reports?.value)) as { id: string }[]).map((row) => row.id));
    expect(chunks.map((chunk) => chunk.length)).toEqual([1_000, 1_000, 500]);
    expect(chunks.flat()).toEqual(reports.map((report) => report.id).sort());
    expect(saved.alreadyProcessed).toBe(3 * 2); // each chunk's count: 2 in this fake
  });
});

describe('SQL Server store: a failure counted again after a lost commit (no server)', () => {
  it('sends the same attempt id with every retry of one call, a new one with the next call', async () => {
    const sent: Sent[] = [];
    const pool = recordingPool(sent);
    const transaction = pool.transaction();
    let commits = 0;
    // The first commit's answer is lost with the connection: mssql reports a socket error.
    transaction.commit = async () => {
      if (commits++ === 0) throw Object.assign(new Error('Connection lost - read ECONNRESET'), { code: 'ESOCKET' });
    };
    const store = sqlServerStore(pool, { sleep: async () => undefined });
    await store.recordEnrichmentFailure({ reportId: 'R1', error: 'HTTP 500', quarantineAfter: 3 });
    await store.recordEnrichmentFailure({ reportId: 'R1', error: 'HTTP 500', quarantineAfter: 3 });
    const attempts = sent
      .filter(({ statement }) => nameOf(statement) === 'RECORD_ENRICHMENT_FAILURE')
      .map(({ inputs }) => String(inputs.attemptId?.value));
    expect(attempts).toHaveLength(3);
    expect(attempts[0]).toBe(attempts[1]);
    expect(attempts[2]).not.toBe(attempts[0]);
  });
});
