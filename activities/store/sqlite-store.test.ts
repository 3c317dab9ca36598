import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from './sqlite-schema';
import { openSqliteStore } from './sqlite-store';
import { INGESTION_JOB, type Store } from './store';
import { describeStoreContract } from '../../test/store-contract';

/** A temp folder for one test's database file. */
const tempFolder = () => mkdtempSync(join(tmpdir(), 'goaudits-store-'));

describeStoreContract('SQLite', async () => {
  const folder = tempFolder();
  const file = join(folder, 'pipeline.db');
  const store = openSqliteStore(file);
  const raw = new Database(file);
  return {
    store,
    rows: async (sql) => raw.prepare<[], Record<string, unknown>>(sql).all(),
    exec: async (sql) => void raw.exec(sql),
    dispose: async () => {
      raw.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
});

describe('SQLite store', () => {
  let folder: string;
  let file: string;
  let store: Store;
  let raw: Database.Database;
  const runId = randomUUID();

  beforeEach(async () => {
    folder = tempFolder();
    file = join(folder, 'data', 'pipeline.db');
    store = openSqliteStore(file);
    await store.migrate();
    raw = new Database(file);
  });

  afterEach(async () => {
    raw.close();
    await store.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const reports = (n: number, day = '2025-01-01') =>
    Array.from({ length: n }, (_, i) => ({
      id: `R${i}`,
      completedAtUtc: `${day}T00:00:${String(i % 60).padStart(2, '0')}Z`,
      summaryFingerprint: `R${i}`,
    }));

  it('creates the folder and keeps the file in WAL mode', () => {
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('records each schema version once', async () => {
    await store.migrate();
    expect(raw.prepare('SELECT Version FROM SchemaMigrations ORDER BY Version').pluck().all()).toEqual(
      SQLITE_MIGRATIONS.map((migration) => migration.version),
    );
  });

  it('upgrades a file an earlier version made, keeping its reports and claims', async () => {
    const earlier = new Database(join(folder, 'earlier.db'));
    earlier.exec('CREATE TABLE SchemaMigrations (Version INTEGER NOT NULL PRIMARY KEY, AppliedUtc TEXT)');
    for (const { version, sql } of SQLITE_MIGRATIONS.filter((migration) => migration.version <= 5)) {
      earlier.exec(sql);
      earlier.prepare('INSERT INTO SchemaMigrations (Version) VALUES (?)').run(version);
    }
    earlier.exec(`INSERT INTO GoAuditsReports (GoAuditsReportId, CompletedAtUtc, JobRunId) VALUES ('R0', '2025-01-01 00:00:00', 'old');
                  INSERT INTO GoAuditsEnrichmentClaims VALUES ('R0', 'old', '2030-01-01 00:00:00')`);
    earlier.close();
    const upgraded = openSqliteStore(join(folder, 'earlier.db'));
    await upgraded.migrate();
    const saved = await upgraded.saveSummaryWindow({ runId, reports: reports(2), advanceWatermark: false, refreshStored: true });
    expect(saved).toMatchObject({ ingested: ['R1'], refresh: ['R0'] });
    expect(await upgraded.claimReports({ reportIds: ['R0'], runId, untilUtc: '2031-01-01T00:00:00Z' })).toEqual([]);
    await upgraded.close();
  });

  it("reads the sweep's selection newest first through an index, without sorting the reports", () => {
    const plan = raw
      .prepare<[], { detail: string }>(
        `EXPLAIN QUERY PLAN SELECT r.GoAuditsReportId FROM GoAuditsReports r
         ORDER BY r.CompletedAtUtc DESC, r.GoAuditsReportId LIMIT 10`,
      )
      .all()
      .map((step) => step.detail);
    expect(plan.join('; ')).toContain('IX_GoAuditsReports_CompletedAtUtc');
    expect(plan.join('; ')).not.toContain('TEMP B-TREE');
  });

  it('keeps its data when the file is reopened', async () => {
    await store.saveSummaryWindow({ runId, reports: reports(3), advanceWatermark: true });
    await store.close();
    store = openSqliteStore(file);
    expect(await store.watermark(INGESTION_JOB)).toBe('2025-01-01T00:00:02Z');
    expect(await store.pendingEnrichment(10)).toEqual(['R2', 'R1', 'R0']);
  });

  it('stores datetimes as UTC text like datetime2(0) prints', async () => {
    await store.saveSummaryWindow({ runId, reports: reports(1), advanceWatermark: true });
    const row = raw.prepare<[], Record<string, string>>('SELECT CompletedAtUtc, IngestedAtUtc FROM GoAuditsReports').get();
    expect(row?.CompletedAtUtc).toBe('2025-01-01 00:00:00');
    expect(row?.IngestedAtUtc).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('reads and advances a watermark an operator wrote as ISO text', async () => {
    await store.setWatermark(INGESTION_JOB, null);
    raw.exec(`UPDATE JobWatermark SET WatermarkUtc = '2025-01-01T00:00:00Z'`);
    expect(await store.watermark(INGESTION_JOB)).toBe('2025-01-01T00:00:00Z');
    const saved = await store.saveSummaryWindow({ runId, reports: reports(2), advanceWatermark: true });
    expect(saved.watermarkUtc).toBe('2025-01-01T00:00:01Z');
  });

  it('lets an operator hold a read snapshot while the worker writes', async () => {
    raw.exec('BEGIN');
    const countReports = raw.prepare('SELECT COUNT(*) FROM GoAuditsReports').pluck();
    expect(countReports.get()).toBe(0);
    await store.saveSummaryWindow({ runId, reports: reports(2), advanceWatermark: true });
    expect(countReports.get()).toBe(0);
    raw.exec('COMMIT');
    expect(countReports.get()).toBe(2);
  });

  it("waits for another process's write lock instead of failing", async () => {
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require(${JSON.stringify(require.resolve('better-sqlite3'))}))(${JSON.stringify(file)});
         db.exec('BEGIN IMMEDIATE'); console.log('locked');
         setTimeout(() => { db.exec('COMMIT'); db.close(); }, 300);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => holder.on('exit', resolve));
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    const saved = await store.saveSummaryWindow({ runId, reports: reports(1), advanceWatermark: true });
    expect(saved.ingested).toEqual(['R0']);
    await exited;
  });

  it('saves a 10,000-report window whole', async () => {
    const saved = await store.saveSummaryWindow({ runId, reports: reports(10_000), advanceWatermark: true });
    expect(saved.ingested).toHaveLength(10_000);
    expect(raw.prepare('SELECT COUNT(*) FROM ProcessedItems').pluck().get()).toBe(10_000);
  });

  it('rejects a negative limit, which SQLite would read as no limit', async () => {
    await expect(store.pendingEnrichment(-1)).rejects.toThrow(RangeError);
  });
});
