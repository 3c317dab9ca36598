import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MSSQLServerContainer, type StartedMSSQLServerContainer } from '@testcontainers/mssqlserver';
import { ConnectionPool, Int, MAX, NVarChar, UniqueIdentifier } from 'mssql';
import type { SummaryReport } from '../goaudits/records';
import type { SqlServerConfig } from './sqlserver-config';
import { SQLSERVER_MIGRATIONS, SQLSERVER_SCHEMA } from './sqlserver-schema';
import { RECORD_ENRICHMENT_FAILURE, RECORD_FIRST_ENRICHMENT_FAILURE } from './sqlserver-statements';
import { openSqlServerStore } from './sqlserver-store';
import { INGESTION_JOB, type Store } from './store';
import { describeStoreContract } from '../../test/store-contract';

/** A SQL Server login that may create databases, e.g. a local container's `sa`. */
const given = process.env.SQLSERVER_TEST_CONNECTION?.replace(/;\s*$/, '');

/** The SQL Server image the suite starts through Testcontainers when a Docker engine is reachable. */
const SQLSERVER_IMAGE = 'mcr.microsoft.com/mssql/server:2022-CU21-ubuntu-22.04';

/**
 * Whether a container engine answers here: DOCKER_HOST, or a Docker socket in its usual places
 * (Testcontainers finds the same ones). Decided before the suite is declared, so that without one
 * the suite is one skipped line, not a failure.
 */
function dockerReachable(): boolean {
  if (process.env.DOCKER_HOST?.trim()) return true;
  return ['/var/run/docker.sock', join(homedir(), '.docker/run/docker.sock')].some((socket) => existsSync(socket));
}

const HOW_TO_RUN =
  'SQL Server store: no Docker engine and no SQLSERVER_TEST_CONNECTION here; with Docker, `npm test` starts ' +
  `${SQLSERVER_IMAGE} itself, or run against a server with SQLSERVER_TEST_CONNECTION='Server=localhost,1433;Database=master;` +
  "User Id=sa;Password=...;TrustServerCertificate=true' npx jest activities/store/sqlserver";

if (given === undefined && !dockerReachable()) {
  test.skip(HOW_TO_RUN, () => undefined);
} else {
  /** One database for this run, dropped at the end; every test starts from no tables at all. */
  const database = `goaudits_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const config: SqlServerConfig = { auth: 'connection-string', connectionString: '', poolMax: 5, retryBudgetMs: 90_000 };
  let container: StartedMSSQLServerContainer | undefined;
  let server: ConnectionPool;

  beforeAll(async () => {
    if (given === undefined) container = await new MSSQLServerContainer(SQLSERVER_IMAGE).acceptLicense().start();
    const connection =
      given ?? `${container!.getConnectionUri(false).replace(/;Database=[^;]*/, ';Database=master')};TrustServerCertificate=true`;
    config.connectionString = `${connection};Database=${database}`;
    server = await new ConnectionPool(connection).connect();
    await server.request().batch(`CREATE DATABASE [${database}]`);
  }, 600_000);

  afterAll(async () => {
    await server.request().batch(`ALTER DATABASE [${database}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [${database}]`);
    await server.close();
    await container?.stop();
  });

  /** A pool on the test database, its tables dropped, for raw SQL beside the store. */
  const openRaw = async () => {
    const raw = await new ConnectionPool(config.connectionString).connect();
    for (const table of Object.keys(SQLSERVER_SCHEMA).reverse()) await raw.request().batch(`DROP TABLE IF EXISTS dbo.${table}`);
    return raw;
  };

  describeStoreContract('SQL Server', async () => {
    const raw = await openRaw();
    return {
      store: await openSqlServerStore(config),
      rows: async (sql) => (await raw.request().query<Record<string, unknown>>(sql)).recordset,
      exec: async (sql) => void (await raw.request().batch(sql)),
      dispose: () => raw.close(),
    };
  });

  describe('SQL Server store', () => {
    let raw: ConnectionPool;
    let store: Store;
    const runId = randomUUID();
    const count = async (sql: string) => Number((await raw.request().query<{ n: number }>(sql)).recordset[0]?.n);

    beforeEach(async () => {
      raw = await openRaw();
      store = await openSqlServerStore(config);
      await store.migrate();
    });

    afterEach(async () => {
      await store.close();
      await raw.close();
    });

    const reports = (n: number, first = 0): SummaryReport[] =>
      Array.from({ length: n }, (_, i) => ({
        id: `R${first + i}`,
        completedAtUtc: `2025-01-01T00:00:${String((first + i) % 60).padStart(2, '0')}Z`,
        summaryFingerprint: `fingerprint of R${first + i}`,
      }));

    it('records each schema version once', async () => {
      await store.migrate();
      const { recordset } = await raw.request().query<{ Version: number }>('SELECT Version FROM dbo.SchemaMigrations ORDER BY Version');
      expect(recordset.map((row) => row.Version)).toEqual(SQLSERVER_MIGRATIONS.map((migration) => migration.version));
    });

    it('adopts tables that exist, with their rows', async () => {
      await raw.request().batch('DROP TABLE dbo.SchemaMigrations');
      await raw.request().batch(`INSERT INTO dbo.JobWatermark (JobName, WatermarkUtc) VALUES ('${INGESTION_JOB}', '2025-10-01 00:00:00')`);
      await store.migrate();
      expect(await store.watermark(INGESTION_JOB)).toBe('2025-10-01T00:00:00Z');
    });

    it('saves a 10,000-report window whole', async () => {
      const saved = await store.saveSummaryWindow({ runId, reports: reports(10_000), advanceWatermark: true });
      expect(saved.ingested).toHaveLength(10_000);
      expect(await count('SELECT COUNT(*) AS n FROM dbo.ProcessedItems')).toBe(10_000);
    });

    it('asks to refresh every report of a 10,000-report window seen again, in input order', async () => {
      const window = reports(10_000);
      await store.saveSummaryWindow({ runId, reports: window, advanceWatermark: true });
      const reversed = [...window].reverse();
      const again = await store.saveSummaryWindow({ runId: randomUUID(), reports: reversed, advanceWatermark: true, refreshStored: true });
      expect(again.ingested).toEqual([]);
      expect(again.refresh).toEqual(reversed.map((report) => report.id));
      expect(await count('SELECT COUNT(*) AS n FROM dbo.GoAuditsReportVersions WHERE RefreshRequestedUtc IS NOT NULL')).toBe(10_000);
    });

    it('adds ClaimedUtc to claims taken before it, which lift no refresh request', async () => {
      await raw
        .request()
        .batch('ALTER TABLE dbo.GoAuditsEnrichmentClaims DROP COLUMN ClaimedUtc; DELETE FROM dbo.SchemaMigrations WHERE Version = 6');
      await raw
        .request()
        .batch(
          `INSERT INTO dbo.GoAuditsEnrichmentClaims (GoAuditsReportId, RunId, ClaimedUntilUtc) VALUES ('R1', '${runId}', '2999-01-01')`,
        );
      await store.migrate();
      expect(await count('SELECT COUNT(*) AS n FROM dbo.GoAuditsEnrichmentClaims WHERE ClaimedUtc IS NULL')).toBe(1);
      await store.saveSummaryWindow({ runId, reports: reports(1, 1), advanceWatermark: false });
      await store.saveSummaryWindow({ runId, reports: reports(1, 1), advanceWatermark: false, refreshStored: true });
      const answer = { questionKey: '1', answerValue: 'Yes', section: null, questionText: null };
      expect(
        (await store.saveReportDetails({ runId, details: { reportId: 'R1', answers: [answer], certificateNumber: 'C-1' } })).refreshed,
      ).toBe(true);
      expect(await count('SELECT COUNT(*) AS n FROM dbo.GoAuditsReportVersions WHERE RefreshRequestedUtc IS NOT NULL')).toBe(1);
    });

    it('tells fingerprints and certificates apart by case and trailing spaces, as SQLite does', async () => {
      const [r1] = reports(1, 1);
      await store.saveSummaryWindow({ runId, reports: [{ ...r1, summaryFingerprint: 'abc' }], advanceWatermark: false });
      expect(
        (await store.saveSummaryWindow({ runId, reports: [{ ...r1, summaryFingerprint: 'ABC' }], advanceWatermark: false })).refresh,
      ).toEqual(['R1']);
      expect(
        (await store.saveSummaryWindow({ runId, reports: [{ ...r1, summaryFingerprint: 'ABC ' }], advanceWatermark: false })).refresh,
      ).toEqual(['R1']);
      expect(
        (await store.saveSummaryWindow({ runId, reports: [{ ...r1, summaryFingerprint: 'ABC ' }], advanceWatermark: false })).refresh,
      ).toEqual([]);
      const answer = { questionKey: '1', answerValue: 'Yes', section: null, questionText: null };
      await raw.request().batch(`UPDATE dbo.GoAuditsReports SET CertificationNumber = 'cert-1'`);
      const saved = await store.saveReportDetails({ runId, details: { reportId: 'R1', answers: [answer], certificateNumber: 'CERT-1' } });
      expect(saved).toMatchObject({ certUpdated: true, refreshed: true });
    });

    it('lets concurrent windows over the same reports store each once', async () => {
      const windows = await Promise.all(
        [0, 50, 100, 150].map((first) =>
          store.saveSummaryWindow({ runId: randomUUID(), reports: reports(100, first), advanceWatermark: true }),
        ),
      );
      const ingested = windows.flatMap((window) => window.ingested);
      expect(new Set(ingested).size).toBe(ingested.length);
      expect(ingested).toHaveLength(250);
      expect(await count('SELECT COUNT(*) AS n FROM dbo.GoAuditsReports')).toBe(250);
      expect(await count('SELECT COUNT(*) AS n FROM dbo.ProcessedItems')).toBe(250);
    });

    it('counts a failure once when its call is sent again after its answer was lost, and the next call again', async () => {
      await store.saveSummaryWindow({ runId, reports: reports(1, 1), advanceWatermark: false });
      const send = async (statement: string, attemptId: string) => {
        const request = raw.request().input('reportId', NVarChar(4000), 'R1').input('error', NVarChar(MAX), 'HTTP 500');
        return (await request.input('quarantineAfter', Int, 3).input('attemptId', UniqueIdentifier, attemptId).query(statement)).recordset;
      };
      const first = randomUUID();
      expect(await send(RECORD_FIRST_ENRICHMENT_FAILURE, first)).toEqual([{ failures: 1, quarantined: 0 }]);
      expect(await send(RECORD_ENRICHMENT_FAILURE, first)).toEqual([{ failures: 1, quarantined: 0 }]);
      expect(await send(RECORD_ENRICHMENT_FAILURE, randomUUID())).toEqual([{ failures: 2, quarantined: 0 }]);
    });

    it('applies migration 9 to a database that has the earlier versions: the sweep index and the attempt ids', async () => {
      await raw
        .request()
        .batch(
          'DROP INDEX IX_GoAuditsReports_CompletedAtUtc ON dbo.GoAuditsReports; ' +
            'ALTER TABLE dbo.GoAuditsEnrichmentFailures DROP COLUMN LastAttemptId; ' +
            'ALTER TABLE dbo.GoAuditsMissedDays DROP COLUMN LastAttemptId; DELETE FROM dbo.SchemaMigrations WHERE Version = 9',
        );
      await store.migrate();
      expect(await count("SELECT COUNT(*) AS n FROM sys.indexes WHERE name = 'IX_GoAuditsReports_CompletedAtUtc'")).toBe(1);
      await store.recordMissedDay({ day: '2025-10-01', error: 'HTTP 500' });
      expect(await count('SELECT COUNT(*) AS n FROM dbo.GoAuditsMissedDays WHERE LastAttemptId IS NOT NULL')).toBe(1);
    });

    it('stores one answer for question keys that differ only by case, in a save of many answers', async () => {
      await store.saveSummaryWindow({ runId, reports: reports(1, 1), advanceWatermark: false });
      const answers = ['Q1', 'q1', 'Q1 ', ...Array.from({ length: 200 }, (_, i) => `K${i}`)].map((questionKey) => ({
        questionKey,
        answerValue: questionKey,
        section: null,
        questionText: null,
      }));
      const saved = await store.saveReportDetails({ runId, details: { reportId: 'R1', answers, certificateNumber: null } });
      expect(saved.answersInserted).toBe(201);
      expect(await count("SELECT COUNT(*) AS n FROM dbo.GoAuditsReportAnswers WHERE QuestionKey = 'Q1' AND AnswerValue = N'Q1'")).toBe(1);
    });

    it('records one run when starts race', async () => {
      await Promise.all(Array.from({ length: 8 }, () => store.startRun({ runId, job: INGESTION_JOB, correlationId: 'wf-1' })));
      expect(await count(`SELECT COUNT(*) AS n FROM dbo.JobRunHistory WHERE RunId = '${runId}'`)).toBe(1);
    });

    it('stores datetimes as whole-second UTC', async () => {
      await store.saveSummaryWindow({
        runId,
        reports: [{ id: 'R1', completedAtUtc: '2025-01-02T03:04:05.900+01:00', summaryFingerprint: 'f' }],
        advanceWatermark: true,
      });
      const { recordset } = await raw
        .request()
        .query<{ completed: string }>('SELECT CONVERT(char(19), CompletedAtUtc, 120) AS completed FROM dbo.GoAuditsReports');
      expect(recordset[0]?.completed).toBe('2025-01-02 02:04:05');
      expect(await store.watermark(INGESTION_JOB)).toBe('2025-01-02T02:04:05Z');
    });
  });
}
