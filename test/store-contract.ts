import { randomUUID } from 'node:crypto';
import type { Answer, ReportDetails, SummaryReport } from '../activities/goaudits/records';
import { ENRICHMENT_JOB, INGESTION_JOB, type LaneTurnRequest, type Store } from '../activities/store/store';
import { UnknownReportError } from '../activities/store/unknown-report-error';

/** A store on a fresh, empty database, with raw SQL access to that same database. */
export interface StoreUnderTest {
  store: Store;
  /** Runs one SELECT outside the store and returns its rows. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** Runs one statement outside the store: rows the old system or an operator wrote. */
  exec(sql: string): Promise<void>;
  /** Releases what open() made; the suite has closed the store by then. */
  dispose(): Promise<void>;
}

const report = (id: string, completedAtUtc: string, summaryFingerprint = `fingerprint of ${id}`): SummaryReport => ({
  id,
  completedAtUtc,
  summaryFingerprint,
});

/** Lets the clock pass a millisecond, so that a refresh request and a later claim are told apart. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

const answer = (questionKey: string, answerValue: string | null = 'Yes'): Answer => ({
  questionKey,
  answerValue,
  section: 'Premises | Kitchen',
  questionText: `Question ${questionKey}?`,
});

const details = (reportId: string, answers: Answer[], certificateNumber: string | null = null): ReportDetails => ({
  reportId,
  answers,
  certificateNumber,
});

/** A value the database must refuse (NOT NULL key), to make a transaction fail midway. */
const nullKey = null as unknown as string;

/**
 * The database's refusal of that value, matched by message: a native driver's error class can
 * come from another realm than the test's, so `toThrow()` may not recognise it as an Error.
 */
const refusedNull = { message: expect.stringMatching(/null/i) };

/**
 * The one store test suite. Drives every method through `Store` and checks the tables with SQL
 * that runs unchanged on SQLite and SQL Server (no LIMIT/TOP, no schema prefix, times as
 * 'YYYY-MM-DD HH:MM:SS' literals, run ids compared in SQL).
 */
export function describeStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`Store contract: ${name}`, () => {
    let db: StoreUnderTest;
    let store: Store;
    let runId: string;

    const count = async (sql: string): Promise<number> => Number((await db.rows(sql))[0]?.n);
    const ledger = (job: string, clause = '1 = 1') =>
      count(`SELECT COUNT(*) AS n FROM ProcessedItems WHERE JobName = '${job}' AND ${clause}`);
    const certificateOf = async (reportId: string) =>
      (await db.rows(`SELECT CertificationNumber FROM GoAuditsReports WHERE GoAuditsReportId = '${reportId}'`))[0]?.CertificationNumber;

    beforeEach(async () => {
      db = await open();
      store = db.store;
      runId = randomUUID();
      await store.migrate();
    });

    afterEach(async () => {
      await store.close();
      await db.dispose();
    });

    describe('migrate', () => {
      it('creates every table, empty', async () => {
        for (const table of [
          'JobWatermark',
          'JobRunHistory',
          'ProcessedItems',
          'GoAuditsReports',
          'GoAuditsReportAnswers',
          'GoAuditsReportVersions',
          'GoAuditsDeletedReports',
        ]) {
          expect(await count(`SELECT COUNT(*) AS n FROM ${table}`)).toBe(0);
        }
      });

      it('changes nothing the second time', async () => {
        await store.saveSummaryWindow({ runId, reports: [report('R1', '2025-01-01T00:00:00Z')], advanceWatermark: true });
        await store.migrate();
        expect(await count('SELECT COUNT(*) AS n FROM GoAuditsReports')).toBe(1);
        expect(await store.watermark(INGESTION_JOB)).toBe('2025-01-01T00:00:00Z');
      });
    });

    describe('watermark', () => {
      it('is null until one is set', async () => {
        expect(await store.watermark(INGESTION_JOB)).toBeNull();
      });

      it('reads back what was set, per job', async () => {
        await store.setWatermark(INGESTION_JOB, '2025-10-01T06:30:00Z');
        expect(await store.watermark(INGESTION_JOB)).toBe('2025-10-01T06:30:00Z');
        expect(await store.watermark(ENRICHMENT_JOB)).toBeNull();
      });

      it('can be rewound and cleared', async () => {
        await store.setWatermark(INGESTION_JOB, '2025-11-01T00:00:00Z');
        await store.setWatermark(INGESTION_JOB, '2025-10-01T00:00:00Z');
        expect(await store.watermark(INGESTION_JOB)).toBe('2025-10-01T00:00:00Z');
        await store.setWatermark(INGESTION_JOB, null);
        expect(await store.watermark(INGESTION_JOB)).toBeNull();
        expect(await count(`SELECT COUNT(*) AS n FROM JobWatermark WHERE JobName = '${INGESTION_JOB}'`)).toBe(1);
      });

      it('advances only forwards, from no watermark too', async () => {
        await store.advanceWatermark(INGESTION_JOB, '2025-10-01T06:30:00Z');
        expect(await store.watermark(INGESTION_JOB)).toBe('2025-10-01T06:30:00Z');
        await store.advanceWatermark(INGESTION_JOB, '2025-09-30T00:00:00Z');
        expect(await store.watermark(INGESTION_JOB)).toBe('2025-10-01T06:30:00Z');
        await store.advanceWatermark(INGESTION_JOB, '2025-10-02T00:00:01Z');
        expect(await store.watermark(INGESTION_JOB)).toBe('2025-10-02T00:00:01Z');
        expect(await store.watermark(ENRICHMENT_JOB)).toBeNull();
      });

      it('reads a rewind an operator wrote in SQL', async () => {
        await store.setWatermark(INGESTION_JOB, '2025-11-01T00:00:00Z');
        await db.exec(`UPDATE JobWatermark SET WatermarkUtc = '2025-10-01 00:00:00' WHERE JobName = '${INGESTION_JOB}'`);
        expect(await store.watermark(INGESTION_JOB)).toBe('2025-10-01T00:00:00Z');
      });
    });

    describe('saveSummaryWindow', () => {
      const window = [report('R1', '2025-01-02T03:04:05Z'), report('R2', '2025-01-03T00:00:00Z'), report('R3', '2025-01-01T23:59:59Z')];

      it('inserts new reports with their ledger rows and moves the watermark to the newest', async () => {
        const saved = await store.saveSummaryWindow({ runId, reports: window, advanceWatermark: true });
        expect(saved).toEqual({ ingested: ['R1', 'R2', 'R3'], alreadyProcessed: 0, refresh: [], watermarkUtc: '2025-01-03T00:00:00Z' });
        expect(await store.watermark(INGESTION_JOB)).toBe('2025-01-03T00:00:00Z');
        expect(
          await count(
            `SELECT COUNT(*) AS n FROM GoAuditsReports WHERE JobRunId = '${runId}'
             AND CertificationNumber IS NULL AND IngestedAtUtc IS NOT NULL`,
          ),
        ).toBe(3);
        expect(
          await count(
            `SELECT COUNT(*) AS n FROM GoAuditsReports
             WHERE GoAuditsReportId = 'R1' AND CompletedAtUtc = '2025-01-02 03:04:05'`,
          ),
        ).toBe(1);
        expect(await ledger(INGESTION_JOB, `RunId = '${runId}' AND ProcessedUtc IS NOT NULL`)).toBe(3);
      });

      it('never moves the watermark past watermarkNotAfterUtc, however far in the future a report is dated', async () => {
        const future = [report('F1', '2031-01-01T00:00:00Z'), report('R9', '2025-01-01T00:00:00Z')];
        const saved = await store.saveSummaryWindow({
          runId,
          reports: future,
          advanceWatermark: true,
          watermarkNotAfterUtc: '2026-11-27T10:00:00Z',
        });
        expect(saved.ingested).toEqual(['F1', 'R9']);
        expect(await store.watermark(INGESTION_JOB)).toBe('2026-11-27T10:00:00Z');
        await store.saveSummaryWindow({
          runId,
          reports: [report('R8', '2025-02-01T00:00:00Z')],
          advanceWatermark: true,
          watermarkNotAfterUtc: '2026-11-27T11:00:00Z',
        });
        expect(await store.watermark(INGESTION_JOB)).toBe('2026-11-27T10:00:00Z');
      });

      it('adds nothing on a repeat and counts the ids already processed', async () => {
        await store.saveSummaryWindow({ runId, reports: window, advanceWatermark: true });
        const again = await store.saveSummaryWindow({ runId: randomUUID(), reports: window, advanceWatermark: true });
        expect(again).toEqual({ ingested: [], alreadyProcessed: 3, refresh: [], watermarkUtc: '2025-01-03T00:00:00Z' });
        expect(await count(`SELECT COUNT(*) AS n FROM GoAuditsReports WHERE JobRunId = '${runId}'`)).toBe(3);
        expect(await ledger(INGESTION_JOB, `RunId = '${runId}'`)).toBe(3);
      });

      it('inserts only the new ids of a window that overlaps an earlier one', async () => {
        await store.saveSummaryWindow({ runId, reports: window.slice(0, 2), advanceWatermark: true });
        const saved = await store.saveSummaryWindow({ runId: randomUUID(), reports: window.slice(1), advanceWatermark: true });
        expect(saved).toEqual({ ingested: ['R3'], alreadyProcessed: 1, refresh: [], watermarkUtc: '2025-01-03T00:00:00Z' });
        expect(await count('SELECT COUNT(*) AS n FROM GoAuditsReports')).toBe(3);
      });

      it('stores an id repeated in one window once, as new', async () => {
        const saved = await store.saveSummaryWindow({ runId, reports: [window[0], window[0]], advanceWatermark: true });
        expect(saved.ingested).toEqual(['R1']);
        expect(saved.alreadyProcessed).toBe(0);
        expect(await count('SELECT COUNT(*) AS n FROM GoAuditsReports')).toBe(1);
      });

      it('stores reports older than the watermark without moving it backwards', async () => {
        await store.setWatermark(INGESTION_JOB, '2025-06-01T00:00:00Z');
        const saved = await store.saveSummaryWindow({ runId, reports: window, advanceWatermark: true });
        expect(saved).toEqual({ ingested: ['R1', 'R2', 'R3'], alreadyProcessed: 0, refresh: [], watermarkUtc: '2025-06-01T00:00:00Z' });
        expect(await store.watermark(INGESTION_JOB)).toBe('2025-06-01T00:00:00Z');
      });

      it('leaves the watermark alone when advanceWatermark is false', async () => {
        const unset = await store.saveSummaryWindow({ runId, reports: window.slice(0, 1), advanceWatermark: false });
        expect(unset.watermarkUtc).toBeNull();
        expect(await store.watermark(INGESTION_JOB)).toBeNull();
        await store.setWatermark(INGESTION_JOB, '2024-12-31T00:00:00Z');
        const set = await store.saveSummaryWindow({ runId, reports: window, advanceWatermark: false });
        expect(set).toEqual({ ingested: ['R2', 'R3'], alreadyProcessed: 1, refresh: [], watermarkUtc: '2024-12-31T00:00:00Z' });
      });

      it('does nothing for an empty window', async () => {
        await store.setWatermark(INGESTION_JOB, '2025-01-01T00:00:00Z');
        const saved = await store.saveSummaryWindow({ runId, reports: [], advanceWatermark: true });
        expect(saved).toEqual({ ingested: [], alreadyProcessed: 0, refresh: [], watermarkUtc: '2025-01-01T00:00:00Z' });
        expect(await count('SELECT COUNT(*) AS n FROM GoAuditsReports')).toBe(0);
      });

      it('writes nothing when the window fails midway', async () => {
        await store.setWatermark(INGESTION_JOB, '2024-12-31T00:00:00Z');
        const failing = [...window, report(nullKey, '2025-02-01T00:00:00Z')];
        await expect(store.saveSummaryWindow({ runId, reports: failing, advanceWatermark: true })).rejects.toMatchObject(refusedNull);
        expect(await count('SELECT COUNT(*) AS n FROM GoAuditsReports')).toBe(0);
        expect(await ledger(INGESTION_JOB)).toBe(0);
        expect(await store.watermark(INGESTION_JOB)).toBe('2024-12-31T00:00:00Z');
      });
    });

    describe('storedReportsPerDay', () => {
      it('is null on an empty store', async () => {
        expect(await store.storedReportsPerDay()).toBeNull();
      });

      it('divides the reports by the days they span, both ends included', async () => {
        const reports = [
          report('R1', '2025-01-01T23:00:00Z'),
          report('R2', '2025-01-02T01:00:00Z'),
          report('R3', '2025-01-04T12:00:00Z'),
          report('R4', '2025-01-04T13:00:00Z'),
        ];
        await store.saveSummaryWindow({ runId, reports, advanceWatermark: false });
        expect(await store.storedReportsPerDay()).toBe(1);
      });
    });

    describe('pendingEnrichment', () => {
      beforeEach(async () => {
        const reports = [
          report('A', '2025-01-01T00:00:00Z'),
          report('B', '2025-01-03T00:00:00Z'),
          report('C', '2025-01-02T00:00:00Z'),
          report('D', '2025-01-03T00:00:00Z'),
        ];
        await store.saveSummaryWindow({ runId, reports, advanceWatermark: true });
      });

      it('lists reports without answers, newest first, then by id, at most limit', async () => {
        expect(await store.pendingEnrichment(10)).toEqual(['B', 'D', 'C', 'A']);
        expect(await store.pendingEnrichment(2)).toEqual(['B', 'D']);
        expect(await store.pendingEnrichment(0)).toEqual([]);
      });

      it('drops reports marked processed, with or without a certificate', async () => {
        await store.saveReportDetails({ runId, details: details('B', [answer('1', 'CERT-1')], 'CERT-1') });
        await store.saveReportDetails({ runId, details: details('C', [answer('2')]) });
        expect(await store.pendingEnrichment(10)).toEqual(['D', 'A']);
      });

      it('keeps a report that has a certificate but no answers', async () => {
        await store.saveReportDetails({ runId, details: details('B', [], 'CERT-1') });
        expect(await store.pendingEnrichment(10)).toEqual(['B', 'D', 'C', 'A']);
      });

      it('applies the rule to rows the old system left behind', async () => {
        const oldAnswer = (id: string) =>
          db.exec(
            `INSERT INTO GoAuditsReportAnswers (GoAuditsReportId, QuestionKey, AnswerValue, JobRunId)
             VALUES ('${id}', '1', 'x', '${runId}')`,
          );
        await oldAnswer('B'); // answers, no certificate, not processed: still pending
        await oldAnswer('C'); // answers and a certificate: done
        await db.exec(`UPDATE GoAuditsReports SET CertificationNumber = 'CERT-9' WHERE GoAuditsReportId = 'C'`);
        await db.exec(`INSERT INTO ProcessedItems (JobName, ItemKey, RunId) VALUES ('${ENRICHMENT_JOB}', 'D', '${runId}')`);
        expect(await store.pendingEnrichment(10)).toEqual(['B', 'A']);
      });
    });

    describe('quarantine', () => {
      const fail = (reportId: string, error = 'HTTP 500') => store.recordEnrichmentFailure({ reportId, error, quarantineAfter: 3 });

      beforeEach(async () => {
        await store.saveSummaryWindow({
          runId,
          reports: [report('A', '2025-01-01T00:00:00Z'), report('B', '2025-01-02T00:00:00Z')],
          advanceWatermark: true,
        });
      });

      it('counts failures across calls and quarantines at the third, which sweeps then skip', async () => {
        expect(await fail('A')).toEqual({ failures: 1, quarantined: false });
        expect(await fail('A')).toEqual({ failures: 2, quarantined: false });
        expect(await store.pendingEnrichment(10)).toEqual(['B', 'A']);
        expect(await fail('A', 'no Detail rows')).toEqual({ failures: 3, quarantined: true });
        expect(await store.pendingEnrichment(10)).toEqual(['B']);
        expect(await fail('A')).toEqual({ failures: 4, quarantined: true });
        const [quarantined] = await store.quarantinedReports(10);
        expect(quarantined).toMatchObject({ reportId: 'A', failures: 4, lastError: 'HTTP 500' });
        expect(quarantined.lastFailedUtc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      });

      it('cuts a long error to 1000 characters', async () => {
        await store.recordEnrichmentFailure({ reportId: 'A', error: 'e'.repeat(5000), quarantineAfter: 1 });
        expect((await store.quarantinedReports(10))[0].lastError).toBe('e'.repeat(1000));
      });

      it('requeues the named quarantined reports, or all, and sweeps take them again', async () => {
        for (const id of ['A', 'A', 'A', 'B', 'B', 'B']) await fail(id);
        expect(await store.pendingEnrichment(10)).toEqual([]);
        expect(await store.requeueQuarantined(['A', 'nope'])).toBe(1);
        expect(await store.pendingEnrichment(10)).toEqual(['A']);
        expect(await store.requeueQuarantined()).toBe(1);
        expect(await store.pendingEnrichment(10)).toEqual(['B', 'A']);
        expect(await store.quarantinedReports(10)).toEqual([]);
        expect(await fail('A')).toEqual({ failures: 1, quarantined: false });
      });

      it('forgets the failures of a report once it is enriched', async () => {
        await fail('A');
        await fail('A');
        await store.saveReportDetails({ runId, details: details('A', [answer('1')]) });
        expect(await fail('A')).toEqual({ failures: 1, quarantined: false });
      });
    });

    describe('claims', () => {
      const later = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const past = '2020-01-01T00:00:00Z';

      beforeEach(async () => {
        await store.saveSummaryWindow({
          runId,
          reports: [report('A', '2025-01-01T00:00:00Z'), report('B', '2025-01-02T00:00:00Z'), report('C', '2025-01-03T00:00:00Z')],
          advanceWatermark: true,
        });
      });

      it('gives each report to one run at a time; the holder may renew; sweeps skip claimed reports', async () => {
        const other = randomUUID();
        expect(await store.claimReports({ reportIds: ['A', 'B'], runId, untilUtc: later })).toEqual(['A', 'B']);
        expect(await store.claimReports({ reportIds: ['B', 'C'], runId: other, untilUtc: later })).toEqual(['C']);
        expect(await store.claimReports({ reportIds: ['A', 'B'], runId, untilUtc: later })).toEqual(['A', 'B']);
        expect(await store.pendingEnrichment(10)).toEqual([]);
        await store.releaseReports({ reportIds: ['A', 'B', 'C'], runId });
        expect(await store.pendingEnrichment(10)).toEqual(['B', 'A']);
        expect(await store.claimReports({ reportIds: ['B', 'C'], runId: other, untilUtc: later })).toEqual(['B', 'C']);
      });

      it('never gives out a report that is enriched already', async () => {
        await store.saveReportDetails({ runId, details: details('B', [answer('1')]) });
        expect(await store.claimReports({ reportIds: ['A', 'B', 'C'], runId: randomUUID(), untilUtc: later })).toEqual(['A', 'C']);
      });

      it('returns each report claimed in the spelling it was asked for, whatever the spelling of its stored claim', async () => {
        expect(await store.claimReports({ reportIds: ['A'], runId, untilUtc: later })).toEqual(['A']);
        expect(await store.claimReports({ reportIds: ['a', 'B'], runId, untilUtc: later })).toEqual(['a', 'B']);
      });

      it('lets another run take a claim that has expired', async () => {
        await store.claimReports({ reportIds: ['A'], runId, untilUtc: past });
        expect(await store.pendingEnrichment(10)).toEqual(['C', 'B', 'A']);
        expect(await store.claimReports({ reportIds: ['A'], runId: randomUUID(), untilUtc: later })).toEqual(['A']);
      });
    });

    describe('missed days', () => {
      it('records failures per day, lists them oldest first, and forgets those a window went through', async () => {
        await store.recordMissedDay({ day: '2025-10-03', error: 'HTTP 500' });
        await store.recordMissedDay({ day: '2025-10-01', error: 'HTTP 502' });
        await store.recordMissedDay({ day: '2025-10-03', error: 'x'.repeat(2000) });
        const missed = await store.missedDays();
        expect(missed.map(({ day, failures, lastError }) => [day, failures, lastError])).toEqual([
          ['2025-10-01', 1, 'HTTP 502'],
          ['2025-10-03', 2, 'x'.repeat(1000)],
        ]);
        expect(missed[0].lastFailedUtc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        await store.forgetMissedDays({ startDate: '2025-10-02', endDate: '2025-10-03' });
        expect((await store.missedDays()).map((m) => m.day)).toEqual(['2025-10-01']);
      });
    });

    describe('saveReportDetails', () => {
      beforeEach(async () => {
        const reports = [report('R1', '2025-01-01T00:00:00Z'), report('R2', '2025-01-02T00:00:00Z')];
        await store.saveSummaryWindow({ runId, reports, advanceWatermark: true });
      });

      const answersOf = (reportId: string) =>
        db.rows(
          `SELECT QuestionKey, AnswerValue, Section, QuestionText FROM GoAuditsReportAnswers
           WHERE GoAuditsReportId = '${reportId}' ORDER BY QuestionKey`,
        );

      it('stores answers and the certificate, and marks the report processed', async () => {
        const saved = await store.saveReportDetails({
          runId,
          details: details('R1', [answer('1', 'CERT-1'), answer('2'), answer('3', null)], 'CERT-1'),
        });
        expect(saved).toEqual({ certUpdated: true, answersInserted: 3, markedProcessed: true, certMissing: false, refreshed: false });
        expect(await certificateOf('R1')).toBe('CERT-1');
        expect(await answersOf('R1')).toEqual([
          { QuestionKey: '1', AnswerValue: 'CERT-1', Section: 'Premises | Kitchen', QuestionText: 'Question 1?' },
          { QuestionKey: '2', AnswerValue: 'Yes', Section: 'Premises | Kitchen', QuestionText: 'Question 2?' },
          { QuestionKey: '3', AnswerValue: null, Section: 'Premises | Kitchen', QuestionText: 'Question 3?' },
        ]);
        expect(
          await count(`SELECT COUNT(*) AS n FROM GoAuditsReportAnswers WHERE JobRunId = '${runId}' AND IngestedAtUtc IS NOT NULL`),
        ).toBe(3);
        expect(await ledger(ENRICHMENT_JOB, `ItemKey = 'R1' AND RunId = '${runId}'`)).toBe(1);
        expect(await certificateOf('R2')).toBeNull();
      });

      it('changes nothing on a repeat', async () => {
        const args = { runId, details: details('R1', [answer('1', 'CERT-1'), answer('2')], 'CERT-1') };
        await store.saveReportDetails(args);
        const again = await store.saveReportDetails({ ...args, runId: randomUUID() });
        expect(again).toEqual({ certUpdated: false, answersInserted: 0, markedProcessed: false, certMissing: false, refreshed: false });
        expect(await count(`SELECT COUNT(*) AS n FROM GoAuditsReportAnswers WHERE JobRunId = '${runId}'`)).toBe(2);
        expect(await ledger(ENRICHMENT_JOB, `RunId = '${runId}'`)).toBe(1);
      });

      it('keeps a stored certificate and stored answers, adding only new keys', async () => {
        await store.saveReportDetails({ runId, details: details('R1', [answer('1', 'first')], 'CERT-1') });
        const saved = await store.saveReportDetails({
          runId,
          details: details('R1', [answer('1', 'second'), answer('2')], 'CERT-2'),
        });
        expect(saved).toEqual({ certUpdated: false, answersInserted: 1, markedProcessed: false, certMissing: false, refreshed: false });
        expect(await certificateOf('R1')).toBe('CERT-1');
        expect((await answersOf('R1')).map((row) => row.AnswerValue)).toEqual(['first', 'Yes']);
      });

      it('fills a blank certificate', async () => {
        await db.exec(`UPDATE GoAuditsReports SET CertificationNumber = '  ' WHERE GoAuditsReportId = 'R1'`);
        const saved = await store.saveReportDetails({ runId, details: details('R1', [answer('1')], 'CERT-1') });
        expect(saved.certUpdated).toBe(true);
        expect(await certificateOf('R1')).toBe('CERT-1');
      });

      it('reports a missing certificate and still marks the report processed', async () => {
        const saved = await store.saveReportDetails({ runId, details: details('R1', [answer('2')]) });
        expect(saved).toEqual({ certUpdated: false, answersInserted: 1, markedProcessed: true, certMissing: true, refreshed: false });
        expect(await certificateOf('R1')).toBeNull();
        expect(await ledger(ENRICHMENT_JOB, `ItemKey = 'R1'`)).toBe(1);
      });

      it('does not mark a report that has no answers', async () => {
        const none = await store.saveReportDetails({ runId, details: details('R1', []) });
        expect(none).toEqual({ certUpdated: false, answersInserted: 0, markedProcessed: false, certMissing: false, refreshed: false });
        const certOnly = await store.saveReportDetails({ runId, details: details('R1', [], 'CERT-1') });
        expect(certOnly).toEqual({ certUpdated: true, answersInserted: 0, markedProcessed: false, certMissing: false, refreshed: false });
        expect(await ledger(ENRICHMENT_JOB)).toBe(0);
      });

      it('marks a report whose answers were stored earlier, even when none are given', async () => {
        await db.exec(
          `INSERT INTO GoAuditsReportAnswers (GoAuditsReportId, QuestionKey, AnswerValue, JobRunId)
           VALUES ('R1', '2', 'x', '${runId}')`,
        );
        const saved = await store.saveReportDetails({ runId, details: details('R1', []) });
        expect(saved).toEqual({ certUpdated: false, answersInserted: 0, markedProcessed: true, certMissing: true, refreshed: false });
      });

      it('keeps the first of question keys that differ only by case or trailing spaces, as SQL Server compares keys', async () => {
        const saved = await store.saveReportDetails({
          runId,
          details: details('R1', [answer('Temp', 'first'), answer('Hygiene'), answer('TEMP', 'second'), answer('temp ', 'third')]),
        });
        expect(saved).toMatchObject({ answersInserted: 2, markedProcessed: true });
        const stored = async () => (await answersOf('R1')).map((row) => `${String(row.QuestionKey)}=${String(row.AnswerValue)}`);
        expect(await stored()).toEqual(['Hygiene=Yes', 'Temp=first']);
        const again = await store.saveReportDetails({ runId, details: details('R1', [answer('HYGIENE', 'No'), answer('New')]) });
        expect(again.answersInserted).toBe(1);
        expect(await stored()).toEqual(['Hygiene=Yes', 'New=Yes', 'Temp=first']);
      });

      it('stores a 10,000-character answer whole', async () => {
        const long = 'é'.repeat(5_000) + 'x'.repeat(5_000);
        await store.saveReportDetails({ runId, details: details('R1', [answer('notes', long)]) });
        expect((await answersOf('R1'))[0]?.AnswerValue).toBe(long);
      });

      it('rejects an unknown report and writes nothing', async () => {
        const saving = store.saveReportDetails({ runId, details: details('NOPE', [answer('1')], 'CERT-1') });
        await expect(saving).rejects.toBeInstanceOf(UnknownReportError);
        expect(await count(`SELECT COUNT(*) AS n FROM GoAuditsReportAnswers`)).toBe(0);
        expect(await ledger(ENRICHMENT_JOB)).toBe(0);
      });

      it('writes nothing when the details fail midway', async () => {
        const failing = details('R1', [answer('1'), answer(nullKey)], 'CERT-1');
        await expect(store.saveReportDetails({ runId, details: failing })).rejects.toMatchObject(refusedNull);
        expect(await certificateOf('R1')).toBeNull();
        expect(await count(`SELECT COUNT(*) AS n FROM GoAuditsReportAnswers`)).toBe(0);
        expect(await ledger(ENRICHMENT_JOB)).toBe(0);
      });
    });

    describe('edits and refreshes', () => {
      const later = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const answersOf = async (reportId: string) =>
        (
          await db.rows(
            `SELECT QuestionKey, AnswerValue FROM GoAuditsReportAnswers WHERE GoAuditsReportId = '${reportId}' ORDER BY QuestionKey`,
          )
        ).map((row) => `${row.QuestionKey}=${row.AnswerValue}`);
      const completedAtOf = async (reportId: string) =>
        count(
          `SELECT COUNT(*) AS n FROM GoAuditsReports WHERE GoAuditsReportId = '${reportId}' AND CompletedAtUtc = '2025-01-05 10:00:00'`,
        );
      /** R1 and R2 stored and enriched: answers 1, 2, 3 and a certificate. */
      beforeEach(async () => {
        await store.saveSummaryWindow({
          runId,
          reports: [report('R1', '2025-01-01T00:00:00Z'), report('R2', '2025-01-01T00:00:00Z')],
          advanceWatermark: true,
        });
        for (const id of ['R1', 'R2']) {
          await store.saveReportDetails({ runId, details: details(id, [answer('1', 'CERT-1'), answer('2'), answer('3')], 'CERT-1') });
        }
      });
      /** Another run claims the reports, as a batch does before its details calls. */
      const claimed = async (reportIds: string[], by = randomUUID()) => {
        await tick();
        return { by, ids: await store.claimReports({ reportIds, runId: by, untilUtc: later }) };
      };

      it('asks for a refresh of a stored report whose Updated_On moved, and moves CompletedAtUtc to it', async () => {
        const saved = await store.saveSummaryWindow({
          runId: randomUUID(),
          reports: [report('R1', '2025-01-05T10:00:00Z', 'edited'), report('R2', '2025-01-01T00:00:00Z')],
          advanceWatermark: true,
        });
        expect(saved).toEqual({ ingested: [], alreadyProcessed: 2, refresh: ['R1'], watermarkUtc: '2025-01-05T10:00:00Z' });
        expect(await completedAtOf('R1')).toBe(1);
        expect(await store.pendingEnrichment(10)).toEqual(['R1']);
      });

      it('asks for a refresh when only the fingerprint changed, never when nothing did', async () => {
        const same = await store.saveSummaryWindow({ runId, reports: [report('R1', '2025-01-01T00:00:00Z')], advanceWatermark: true });
        expect(same.refresh).toEqual([]);
        const rescored = await store.saveSummaryWindow({
          runId,
          reports: [report('R1', '2025-01-01T00:00:00Z', 'score 90')],
          advanceWatermark: true,
        });
        expect(rescored.refresh).toEqual(['R1']);
        expect(await store.pendingEnrichment(10)).toEqual(['R1']);
      });

      it('never moves CompletedAtUtc back', async () => {
        await store.saveSummaryWindow({ runId, reports: [report('R1', '2025-01-05T10:00:00Z', 'edited')], advanceWatermark: false });
        const older = await store.saveSummaryWindow({
          runId,
          reports: [report('R1', '2024-12-01T00:00:00Z', 'older')],
          advanceWatermark: false,
        });
        expect(older.refresh).toEqual(['R1']);
        expect(await completedAtOf('R1')).toBe(1);
      });

      it('adopts the first fingerprint of a report the old system stored, without a refresh', async () => {
        await db.exec(
          `INSERT INTO GoAuditsReports (GoAuditsReportId, CompletedAtUtc, JobRunId) VALUES ('OLD', '2025-01-01 00:00:00', '${runId}')`,
        );
        const first = await store.saveSummaryWindow({
          runId,
          reports: [report('OLD', '2025-01-01T00:00:00Z', 'first')],
          advanceWatermark: false,
        });
        expect(first).toMatchObject({ ingested: [], refresh: [] });
        const second = await store.saveSummaryWindow({
          runId,
          reports: [report('OLD', '2025-01-01T00:00:00Z', 'second')],
          advanceWatermark: false,
        });
        expect(second.refresh).toEqual(['OLD']);
      });

      it('asks, when told to refresh the stored reports, for every stored one and none of the new', async () => {
        const saved = await store.saveSummaryWindow({
          runId,
          reports: [report('R1', '2025-01-01T00:00:00Z'), report('N1', '2025-01-01T00:00:00Z')],
          advanceWatermark: false,
          refreshStored: true,
        });
        expect(saved).toMatchObject({ ingested: ['N1'], refresh: ['R1'] });
        expect(await store.pendingEnrichment(10)).toEqual(['N1', 'R1']);
      });

      it('replaces the answers and the certificate of a refreshed report, then lifts the request', async () => {
        await store.saveSummaryWindow({ runId, reports: [report('R1', '2025-01-05T10:00:00Z', 'edited')], advanceWatermark: true });
        const refresh = await claimed(['R1', 'R2']);
        expect(refresh.ids).toEqual(['R1']);
        const saved = await store.saveReportDetails({
          runId: refresh.by,
          details: details('R1', [answer('1', 'CERT-2'), answer('2', 'No'), answer('4')], 'CERT-2'),
        });
        expect(saved).toEqual({ certUpdated: true, answersInserted: 3, markedProcessed: false, certMissing: false, refreshed: true });
        expect(await answersOf('R1')).toEqual(['1=CERT-2', '2=No', '4=Yes']);
        expect(await certificateOf('R1')).toBe('CERT-2');
        expect(await count(`SELECT COUNT(*) AS n FROM GoAuditsReportAnswers WHERE JobRunId = '${refresh.by}'`)).toBe(3);
        expect(await answersOf('R2')).toEqual(['1=CERT-1', '2=Yes', '3=Yes']);
        await store.releaseReports({ reportIds: ['R1'], runId: refresh.by });
        expect(await store.pendingEnrichment(10)).toEqual([]);
        expect((await claimed(['R1'])).ids).toEqual([]);
      });

      it('keeps the stored certificate when the refreshed details bring a blank one', async () => {
        await store.saveSummaryWindow({ runId, reports: [report('R1', '2025-01-05T10:00:00Z', 'edited')], advanceWatermark: true });
        const refresh = await claimed(['R1']);
        const saved = await store.saveReportDetails({ runId: refresh.by, details: details('R1', [answer('2')]) });
        expect(saved).toMatchObject({ certUpdated: false, certMissing: false, refreshed: true });
        expect(await certificateOf('R1')).toBe('CERT-1');
        expect(await answersOf('R1')).toEqual(['2=Yes']);
      });

      it('keeps the request when the edit was seen after the claim, so the next run refreshes again', async () => {
        await store.saveSummaryWindow({ runId, reports: [report('R1', '2025-01-05T10:00:00Z', 'edited')], advanceWatermark: true });
        const refresh = await claimed(['R1']);
        await tick();
        await store.saveSummaryWindow({ runId, reports: [report('R1', '2025-01-05T10:00:00Z', 'edited again')], advanceWatermark: true });
        expect((await store.saveReportDetails({ runId: refresh.by, details: details('R1', [answer('2')], 'CERT-3') })).refreshed).toBe(
          true,
        );
        await store.releaseReports({ reportIds: ['R1'], runId: refresh.by });
        expect(await store.pendingEnrichment(10)).toEqual(['R1']);
      });

      it('writes nothing when a refresh fails midway, and keeps the request', async () => {
        await store.saveSummaryWindow({ runId, reports: [report('R1', '2025-01-05T10:00:00Z', 'edited')], advanceWatermark: true });
        const refresh = await claimed(['R1']);
        const failing = details('R1', [answer('4'), answer(nullKey)], 'CERT-2');
        await expect(store.saveReportDetails({ runId: refresh.by, details: failing })).rejects.toMatchObject(refusedNull);
        expect(await answersOf('R1')).toEqual(['1=CERT-1', '2=Yes', '3=Yes']);
        expect(await certificateOf('R1')).toBe('CERT-1');
        await store.releaseReports({ reportIds: ['R1'], runId: refresh.by });
        expect(await store.pendingEnrichment(10)).toEqual(['R1']);
      });

      it('counts the stored reports of a range of days', async () => {
        await store.saveSummaryWindow({
          runId,
          reports: [report('R3', '2025-01-02T23:59:59Z'), report('R4', '2025-01-04T00:00:00Z')],
          advanceWatermark: false,
        });
        expect(await store.storedReportsIn({ from: '2025-01-01', to: '2025-01-02' })).toBe(3);
        expect(await store.storedReportsIn({ from: '2025-01-03', to: '2025-01-03' })).toBe(0);
        expect(await store.storedReportsIn({ from: '2025-01-01', to: '2025-01-04' })).toBe(4);
      });
    });

    describe('reconcile', () => {
      const later = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const past = '2020-01-01T00:00:00Z';
      const rowsOf = (reportId: string, table: string, column = 'GoAuditsReportId') =>
        count(`SELECT COUNT(*) AS n FROM ${table} WHERE ${column} = '${reportId}'`);
      /** What heldReports says of a report stored by saveSummaryWindow and never enriched. */
      const unenriched = (reportId: string, completedAtUtc: string) => ({
        reportId,
        completedAtUtc,
        summaryFingerprint: `fingerprint of ${reportId}`,
        answers: 0,
        certificateNumber: null,
        quarantined: false,
        refreshRequested: false,
        ingestionLedger: true,
        enrichmentLedger: false,
      });
      const R1_DETAILS = details('R1', [answer('1', 'CERT-1'), answer('2', 'No')], 'CERT-1');
      /** R1 enriched (2 answers, a certificate) on the first second of 2025-01-01, R2 on its last, R3 on the first of 2025-01-02. */
      beforeEach(async () => {
        await store.saveSummaryWindow({
          runId,
          reports: [report('R3', '2025-01-02T00:00:00Z'), report('R2', '2025-01-01T23:59:59Z'), report('R1', '2025-01-01T00:00:00Z')],
          advanceWatermark: true,
        });
        await store.saveReportDetails({ runId, details: R1_DETAILS });
      });
      /** Claims the reports for another run, as an enrichment batch does, and stores the details it got. */
      const enrichedByAnotherRun = async (saved: ReportDetails) => {
        const by = randomUUID();
        await tick();
        expect(await store.claimReports({ reportIds: [saved.reportId], runId: by, untilUtc: later })).toEqual([saved.reportId]);
        const result = await store.saveReportDetails({ runId: by, details: saved });
        await store.releaseReports({ reportIds: [saved.reportId], runId: by });
        return result;
      };

      it('holds the reports of UTC days, by id, with what the store holds of each', async () => {
        expect(await store.heldReportsOn({ from: '2025-01-01', to: '2025-01-01' })).toEqual([
          {
            ...unenriched('R1', '2025-01-01T00:00:00Z'),
            answers: 2,
            certificateNumber: 'CERT-1',
            enrichmentLedger: true,
          },
          unenriched('R2', '2025-01-01T23:59:59Z'),
        ]);
        expect(await store.heldReportsOn({ from: '2025-01-02', to: '2025-01-02' })).toEqual([unenriched('R3', '2025-01-02T00:00:00Z')]);
        // A time an operator wrote by hand, with a T.
        await db.exec(
          `INSERT INTO GoAuditsReports (GoAuditsReportId, CompletedAtUtc, JobRunId) VALUES ('HAND', '2025-01-02T05:06:07', '${runId}')`,
        );
        expect(await store.heldReportsOn({ from: '2025-01-02', to: '2025-01-02' })).toEqual([
          expect.objectContaining({ reportId: 'HAND', completedAtUtc: '2025-01-02T05:06:07Z', ingestionLedger: false }),
          unenriched('R3', '2025-01-02T00:00:00Z'),
        ]);
        expect((await store.heldReportsOn({ from: '2024-12-31', to: '2025-01-02' })).map((held) => held.reportId)).toEqual([
          'HAND',
          'R1',
          'R2',
          'R3',
        ]);
        expect(await store.heldReportsOn({ from: '2024-12-31', to: '2024-12-31' })).toEqual([]);
      });

      it('holds the stored reports among ids, on any day, and apart those only a ledger row claims', async () => {
        await store.recordEnrichmentFailure({ reportId: 'R2', error: 'HTTP 500', quarantineAfter: 1 });
        await store.requestRefresh(['R1']);
        await db.exec(
          `INSERT INTO GoAuditsReports (GoAuditsReportId, CompletedAtUtc, JobRunId) VALUES ('OLD', '2024-06-01 12:00:00', '${runId}')`,
        );
        await db.exec(`DELETE FROM GoAuditsReports WHERE GoAuditsReportId = 'R3'`);
        await db.exec(`INSERT INTO ProcessedItems (JobName, ItemKey) VALUES ('${ENRICHMENT_JOB}', 'E')`);
        const { held, ledgerOnly } = await store.heldReports(['R2', 'OLD', 'R3', 'E', 'NONE', 'R1']);
        expect(held).toEqual([
          {
            reportId: 'OLD',
            completedAtUtc: '2024-06-01T12:00:00Z',
            summaryFingerprint: null,
            answers: 0,
            certificateNumber: null,
            quarantined: false,
            refreshRequested: false,
            ingestionLedger: false,
            enrichmentLedger: false,
          },
          expect.objectContaining({ reportId: 'R1', refreshRequested: true, quarantined: false }),
          { ...unenriched('R2', '2025-01-01T23:59:59Z'), quarantined: true },
        ]);
        expect(ledgerOnly).toEqual(['E', 'R3']);
        expect(await store.heldReports([])).toEqual({ held: [], ledgerOnly: [] });
      });

      it('gives the stored answers sorted by key and the certificate; null for a report not stored', async () => {
        const unsorted = [answer('b', null), answer('a'), answer('10', 'ten'), answer('2', 'two')];
        await store.saveReportDetails({ runId, details: details('R2', unsorted, 'C-2') });
        expect(await store.storedDetails('R2')).toEqual(details('R2', [unsorted[2], unsorted[3], unsorted[1], unsorted[0]], 'C-2'));
        expect(await store.storedDetails('R1')).toEqual(R1_DETAILS);
        expect(await store.storedDetails('R3')).toEqual(details('R3', []));
        expect(await store.storedDetails('NONE')).toBeNull();
      });

      it('asks for a refresh of stored reports: pending and claimable as an edited one, answers replaced, then done', async () => {
        expect(await store.pendingEnrichment(10)).toEqual(['R3', 'R2']);
        expect(await store.requestRefresh(['R1', 'R1', 'NONE'])).toBe(1);
        expect(await store.pendingEnrichment(10)).toEqual(['R3', 'R2', 'R1']);
        const saved = await enrichedByAnotherRun(details('R1', [answer('1', 'CERT-9'), answer('3')], 'CERT-9'));
        expect(saved).toMatchObject({ refreshed: true, answersInserted: 2, certUpdated: true });
        expect(await store.storedDetails('R1')).toEqual(details('R1', [answer('1', 'CERT-9'), answer('3')], 'CERT-9'));
        expect(await store.pendingEnrichment(10)).toEqual(['R3', 'R2']);
        expect(await store.requestRefresh([])).toBe(0);
      });

      it('mends answers and a certificate changed or removed by hand, through a refresh', async () => {
        await db.exec(`UPDATE GoAuditsReportAnswers SET AnswerValue = 'Maybe' WHERE GoAuditsReportId = 'R1' AND QuestionKey = '2'`);
        await db.exec(`DELETE FROM GoAuditsReportAnswers WHERE GoAuditsReportId = 'R1' AND QuestionKey = '1'`);
        await db.exec(`UPDATE GoAuditsReports SET CertificationNumber = 'CERT-0' WHERE GoAuditsReportId = 'R1'`);
        expect(await store.pendingEnrichment(10)).not.toContain('R1');
        await store.requestRefresh(['R1']);
        await enrichedByAnotherRun(R1_DETAILS);
        expect(await store.storedDetails('R1')).toEqual(R1_DETAILS);
      });

      it('enriches, after a refresh request, an unenriched report whose enrichment ledger row stayed, and one without', async () => {
        await db.exec(`INSERT INTO ProcessedItems (JobName, ItemKey) VALUES ('${ENRICHMENT_JOB}', 'R2')`);
        expect(await store.pendingEnrichment(10)).toEqual(['R3']);
        expect(await store.requestRefresh(['R2', 'R3'])).toBe(2);
        expect(await store.pendingEnrichment(10)).toEqual(['R3', 'R2']);
        expect(await enrichedByAnotherRun(details('R2', [answer('1', 'C-2')], 'C-2'))).toMatchObject({
          refreshed: true,
          answersInserted: 1,
          markedProcessed: false,
        });
        expect(await enrichedByAnotherRun(details('R3', [answer('1', 'C-3')], 'C-3'))).toMatchObject({
          refreshed: true,
          answersInserted: 1,
          markedProcessed: true,
        });
        for (const id of ['R2', 'R3']) expect(await ledger(ENRICHMENT_JOB, `ItemKey = '${id}'`)).toBe(1);
        expect(await store.storedDetails('R2')).toEqual(details('R2', [answer('1', 'C-2')], 'C-2'));
        expect(await store.pendingEnrichment(10)).toEqual([]);
      });

      it("forgets the ledger rows of reports not stored (both jobs), so a window stores them again; a stored report's stay", async () => {
        await db.exec(`DELETE FROM GoAuditsReportAnswers WHERE GoAuditsReportId = 'R1'`);
        await db.exec(`DELETE FROM GoAuditsReports WHERE GoAuditsReportId = 'R1'`);
        expect(await store.forgetLedgerOfMissing(['R1', 'R2', 'NONE', 'R1'])).toBe(1);
        expect(await rowsOf('R1', 'ProcessedItems', 'ItemKey')).toBe(0);
        expect(await ledger(INGESTION_JOB, `ItemKey = 'R2'`)).toBe(1);
        expect(await store.forgetLedgerOfMissing(['R1'])).toBe(0);
        const saved = await store.saveSummaryWindow({ runId, reports: [report('R1', '2025-01-01T00:00:00Z')], advanceWatermark: false });
        expect(saved.ingested).toEqual(['R1']);
        expect(await store.pendingEnrichment(10)).toEqual(['R3', 'R2', 'R1']);
      });

      it('deletes a gone report with its answers, ledger rows, version, failures and claims, and keeps a copy', async () => {
        await store.recordEnrichmentFailure({ reportId: 'R1', error: 'HTTP 500', quarantineAfter: 5 });
        expect(await store.claimForCheck({ reportIds: ['R1'], runId, untilUtc: later })).toEqual(['R1']);
        expect(await store.deleteGoneReport({ reportId: 'R1', runId })).toBe(true);
        for (const [table, column] of [
          ['GoAuditsReports', undefined],
          ['GoAuditsReportAnswers', undefined],
          ['ProcessedItems', 'ItemKey'],
          ['GoAuditsReportVersions', undefined],
          ['GoAuditsEnrichmentFailures', undefined],
          ['GoAuditsEnrichmentClaims', undefined],
        ] as const) {
          expect({ table, rows: await rowsOf('R1', table, column) }).toEqual({ table, rows: 0 });
        }
        expect(
          await count(
            `SELECT COUNT(*) AS n FROM GoAuditsDeletedReports
             WHERE GoAuditsReportId = 'R1' AND CompletedAtUtc = '2025-01-01 00:00:00' AND CertificationNumber = 'CERT-1'
               AND Answers = 2 AND DeletedByRunId = '${runId}' AND DeletedUtc IS NOT NULL`,
          ),
        ).toBe(1);
        const [deleted] = await store.deletedReports(10);
        expect(deleted).toEqual({
          reportId: 'R1',
          completedAtUtc: '2025-01-01T00:00:00Z',
          deletedUtc: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
          deletedByRunId: runId,
          answers: 2,
        });
        expect((await store.heldReportsOn({ from: '2025-01-01', to: '2025-01-02' })).map((held) => held.reportId)).toEqual(['R2', 'R3']);
        // A retry of the same run's deletion says it is done; another run did not delete it.
        expect(await store.deleteGoneReport({ reportId: 'R1', runId })).toBe(true);
        expect(await store.deleteGoneReport({ reportId: 'R1', runId: randomUUID() })).toBe(false);
        expect(await store.deleteGoneReport({ reportId: 'NONE', runId })).toBe(false);
        expect(await store.deletedReports(10)).toHaveLength(1);
        // Listed again, it is stored again as new.
        const saved = await store.saveSummaryWindow({ runId, reports: [report('R1', '2025-01-01T00:00:00Z')], advanceWatermark: false });
        expect(saved.ingested).toEqual(['R1']);
      });

      it("refuses to delete a report while another run's claim on it is live, and changes nothing", async () => {
        const other = randomUUID();
        expect(await store.claimForCheck({ reportIds: ['R1', 'R2'], runId: other, untilUtc: later })).toEqual(['R1', 'R2']);
        expect(await store.deleteGoneReport({ reportId: 'R1', runId })).toBe(false);
        expect(await store.storedDetails('R1')).toEqual(R1_DETAILS);
        expect(await rowsOf('R1', 'ProcessedItems', 'ItemKey')).toBe(2);
        expect(await store.deletedReports(10)).toEqual([]);
        await store.releaseReports({ reportIds: ['R1'], runId: other });
        expect(await store.deleteGoneReport({ reportId: 'R1', runId })).toBe(true);
        await store.claimForCheck({ reportIds: ['R2'], runId: other, untilUtc: past });
        expect(await store.deleteGoneReport({ reportId: 'R2', runId })).toBe(true);
      });

      it('lists the deleted reports latest first, at most limit', async () => {
        await store.deleteGoneReport({ reportId: 'R2', runId });
        await tick();
        await store.deleteGoneReport({ reportId: 'R1', runId });
        expect((await store.deletedReports(10)).map((deleted) => deleted.reportId)).toEqual(['R1', 'R2']);
        expect((await store.deletedReports(1)).map((deleted) => deleted.reportId)).toEqual(['R1']);
        await expect(store.deletedReports(-1)).rejects.toThrow(RangeError);
      });

      it('claims reports for a check whatever their enrichment state, one run at a time; sweeps skip them while claimed', async () => {
        const other = randomUUID();
        expect(await store.claimForCheck({ reportIds: ['R1', 'R2'], runId, untilUtc: later })).toEqual(['R1', 'R2']);
        expect(await store.claimForCheck({ reportIds: ['R2', 'R1', 'R3'], runId: other, untilUtc: later })).toEqual(['R3']);
        expect(await store.claimReports({ reportIds: ['R2'], runId: other, untilUtc: later })).toEqual([]);
        expect(await store.claimForCheck({ reportIds: ['R1'], runId, untilUtc: later })).toEqual(['R1']);
        expect(await store.pendingEnrichment(10)).toEqual([]);
        await store.releaseReports({ reportIds: ['R1', 'R2'], runId });
        expect(await store.pendingEnrichment(10)).toEqual(['R2']);
      });
    });

    describe('runs', () => {
      const runRows = () =>
        db.rows(
          `SELECT JobName, Status, Message, CorrelationId,
                  CASE WHEN RunStartedUtc IS NULL THEN 0 ELSE 1 END AS started,
                  CASE WHEN RunCompletedUtc IS NULL THEN 0 ELSE 1 END AS completed
           FROM JobRunHistory WHERE RunId = '${runId}'`,
        );

      it('startRun records one Running row, however often it is called', async () => {
        await store.startRun({ runId, job: ENRICHMENT_JOB, correlationId: 'wf-1' });
        await store.startRun({ runId, job: ENRICHMENT_JOB, correlationId: 'wf-2' });
        expect(await runRows()).toEqual([
          { JobName: ENRICHMENT_JOB, Status: 'Running', Message: null, CorrelationId: 'wf-1', started: 1, completed: 0 },
        ]);
      });

      it('finishRun records the outcome once: the first call wins', async () => {
        await store.startRun({ runId, job: INGESTION_JOB, correlationId: 'wf-1' });
        await store.finishRun({ runId, status: 'Succeeded', message: 'ingested=3' });
        await store.finishRun({ runId, status: 'Failed', message: 'late retry' });
        expect(await runRows()).toEqual([
          { JobName: INGESTION_JOB, Status: 'Succeeded', Message: 'ingested=3', CorrelationId: 'wf-1', started: 1, completed: 1 },
        ]);
      });

      it('cuts the message to 4000 characters', async () => {
        await store.startRun({ runId, job: INGESTION_JOB, correlationId: 'wf-1' });
        await store.finishRun({ runId, status: 'Failed', message: 'x'.repeat(5_000) });
        expect((await runRows())[0]?.Message).toBe('x'.repeat(4_000));
      });

      it("openRuns lists the job's rows still Running, oldest first", async () => {
        const other = randomUUID();
        await store.startRun({ runId, job: INGESTION_JOB, correlationId: 'wf-1/run-1' });
        await store.startRun({ runId: other, job: INGESTION_JOB, correlationId: 'wf-2/run-2' });
        await store.startRun({ runId: randomUUID(), job: ENRICHMENT_JOB, correlationId: 'wf-3/run-3' });
        await store.finishRun({ runId: other, status: 'Succeeded', message: 'done' });
        expect(await store.openRuns(INGESTION_JOB)).toEqual([{ runId, correlationId: 'wf-1/run-1' }]);
      });

      it('finishRun of an unknown run writes nothing', async () => {
        await store.finishRun({ runId, status: 'Failed', message: 'never started' });
        expect(await runRows()).toEqual([]);
      });
    });

    describe('the GoAudits call lane', () => {
      const now = 1_800_000_000_000;
      const day = 86_400_000;
      /** One turn at `nowMs` for a new waiter unless one is named, with R=10-like rules. */
      const turn = (over: Partial<LaneTurnRequest> = {}) =>
        store.takeLaneTurn({
          waiterId: randomUUID(),
          priority: 3,
          nowMs: now,
          spacingMs: 105,
          aheadMs: 20,
          longRunSpacingMs: 105,
          othersActiveMs: 2000,
          dayMs: day,
          waiterTtlMs: 3000,
          ...over,
        });
      const startOf = async (over: Partial<LaneTurnRequest> = {}) => {
        const granted = await turn(over);
        if (granted.kind !== 'granted') throw new Error(`expected a start, got ${JSON.stringify(granted)}`);
        return granted.startAtMs;
      };

      it('grants starts spaced by the spacing, from now when the lane is idle, and none far ahead', async () => {
        expect(await startOf()).toBe(now);
        expect(await turn({ nowMs: now + 1 })).toEqual({ kind: 'wait', nextStartAtMs: now + 105, ahead: 0, heldUntilMs: 0 });
        expect(await startOf({ nowMs: now + 90 })).toBe(now + 105);
        expect(await startOf({ nowMs: now + 10_000 })).toBe(now + 10_000);
      });

      it('gives every caller its own start when many ask at once', async () => {
        const starts = await Promise.all(Array.from({ length: 20 }, () => startOf({ spacingMs: 50, aheadMs: 10_000 })));
        expect([...starts].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => now + i * 50));
      });

      it('gives a start to a waiting better priority first, and counts the waiters before each caller', async () => {
        expect(await startOf()).toBe(now);
        const hourly = randomUUID();
        expect(await turn({ waiterId: hourly, priority: 1, nowMs: now + 10 })).toMatchObject({ kind: 'wait', ahead: 0 });
        const backfill = randomUUID();
        expect(await turn({ waiterId: backfill, nowMs: now + 95 })).toEqual({
          kind: 'wait',
          nextStartAtMs: now + 105,
          ahead: 1,
          heldUntilMs: 0,
        });
        expect(await startOf({ waiterId: hourly, priority: 1, nowMs: now + 96 })).toBe(now + 105);
        // The sweep came after the backfill's waiter but goes before it.
        expect(await turn({ priority: 2, nowMs: now + 150 })).toMatchObject({ kind: 'wait', ahead: 0 });
        expect(await turn({ waiterId: backfill, nowMs: now + 195 })).toMatchObject({ kind: 'wait', ahead: 1 });
      });

      it('forgets a waiter that left, or that stopped asking (its process died)', async () => {
        expect(await startOf()).toBe(now);
        const gone = randomUUID();
        await turn({ waiterId: gone, priority: 1, nowMs: now + 1 });
        expect(await turn({ nowMs: now + 100 })).toMatchObject({ kind: 'wait', ahead: 1 });
        await store.leaveLane(gone);
        expect(await startOf({ nowMs: now + 100 })).toBe(now + 105);
        await turn({ priority: 1, nowMs: now + 101 });
        expect(await turn({ nowMs: now + 3_000 })).toMatchObject({ kind: 'wait', ahead: 2 });
        expect(await startOf({ nowMs: now + 3_101 })).toBe(now + 3_101);
      });

      it('spaces long-run starts by their share while a better priority was active, and by the spacing after', async () => {
        const share = { longRunSpacingMs: 105 / 0.5 };
        expect(await startOf({ priority: 1 })).toBe(now);
        expect(await startOf({ ...share, nowMs: now + 100 })).toBe(now + 105);
        expect(await turn({ ...share, nowMs: now + 200 })).toMatchObject({ kind: 'wait', nextStartAtMs: now + 315 });
        expect(await startOf({ priority: 1, nowMs: now + 200 })).toBe(now + 210);
        expect(await startOf({ ...share, nowMs: now + 300 })).toBe(now + 315);
        // Two seconds after the hourly call, the long runs have the lane to themselves again.
        expect(await startOf({ ...share, nowMs: now + 2_300 })).toBe(now + 2_300);
        expect(await startOf({ ...share, nowMs: now + 2_390 })).toBe(now + 2_405);
      });

      it("counts a budgeted run's calls per day with each start, refuses them at the budget, and starts again the next day", async () => {
        const budget = { runKey: 'goaudits-backfill-2025-10-01-2025-10-31', maxCallsPerDay: 2 };
        expect(await turn({ ...budget })).toMatchObject({ kind: 'granted', callsToday: 1 });
        expect(await turn({ ...budget, nowMs: now + 200 })).toMatchObject({ kind: 'granted', callsToday: 2 });
        const resetAtMs = (Math.floor(now / day) + 1) * day;
        expect(await turn({ ...budget, nowMs: now + 400 })).toEqual({ kind: 'budget-spent', callsToday: 2, resetAtMs });
        expect(await turn({ ...budget, maxCallsPerDay: 3, nowMs: now + 400 })).toMatchObject({ kind: 'granted', callsToday: 3 });
        expect(await turn({ runKey: 'another run', maxCallsPerDay: 2, nowMs: now + 600 })).toMatchObject({
          kind: 'granted',
          callsToday: 1,
        });
        expect(await turn({ ...budget, nowMs: resetAtMs })).toMatchObject({ kind: 'granted', callsToday: 1 });
      });

      it("hands out the refused token's fingerprint with each start, until it is lifted", async () => {
        expect(await store.refusedToken()).toBeNull();
        await store.refuseToken('a'.repeat(64));
        expect(await store.refusedToken()).toBe('a'.repeat(64));
        expect(await turn()).toMatchObject({ kind: 'granted', refusedToken: 'a'.repeat(64) });
        await store.refuseToken(null);
        expect(await store.refusedToken()).toBeNull();
        expect(await turn({ nowMs: now + 1_000 })).toMatchObject({ kind: 'granted', refusedToken: null });
      });

      it('holds every later call until a 429 wait is over, says until when, and never moves back', async () => {
        expect(await startOf()).toBe(now);
        await store.holdApiCalls(now + 2_000);
        await store.holdApiCalls(now + 500);
        expect(await turn({ nowMs: now + 1 })).toEqual({ kind: 'wait', nextStartAtMs: now + 2_000, ahead: 0, heldUntilMs: now + 2_000 });
        expect(await startOf({ nowMs: now + 1_990 })).toBe(now + 2_000);
        expect(await startOf({ nowMs: now + 2_090 })).toBe(now + 2_105);
      });
    });

    it("serves the runbook's checks (without TOP and dbo.)", async () => {
      await store.startRun({ runId, job: INGESTION_JOB, correlationId: 'wf-1' });
      await store.saveSummaryWindow({ runId, reports: [report('R1', '2025-01-01T00:00:00Z')], advanceWatermark: true });
      await store.saveReportDetails({ runId, details: details('R1', [answer('1')], 'CERT-1') });
      await store.finishRun({ runId, status: 'Succeeded', message: 'ingested=1' });
      const history = await db.rows(
        'SELECT JobName, Status, RunStartedUtc, RunCompletedUtc, Message FROM JobRunHistory ORDER BY RunStartedUtc DESC',
      );
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ JobName: INGESTION_JOB, Status: 'Succeeded', Message: 'ingested=1' });
      expect(await db.rows('SELECT COUNT(*) AS Reports FROM GoAuditsReports')).toEqual([{ Reports: 1 }]);
      expect(await db.rows('SELECT COUNT(*) AS Answers FROM GoAuditsReportAnswers')).toEqual([{ Answers: 1 }]);
    });
  });
}
