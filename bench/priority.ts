/**
 * How much a backfill slows an hourly run down: the call lane's priorities, measured.
 *
 * One command: a dev server, the simulator, and worker processes from dist/ (the prebuilt workflow
 * bundle, one SQLite file). An hourly run ingests and enriches `--new` new reports alone; then a
 * backfill of the older days runs at `--concurrency`, and the same hourly run (with as many new
 * reports) runs during it, `--during` times; once the backfill is over, the hourly run goes alone
 * once more. Prints each time, their ratios to the mean of the runs alone (side by side, so both saw
 * the same machine), the peak calls GoAudits saw in any second, and whether the backfill ended
 * with every report and answer of its days stored.
 *
 *   npx tsx bench/priority.ts                          # limit 10, 30 new reports, backfill at concurrency 4
 *   npx tsx bench/priority.ts --workers 2
 *
 * Options: --limit R --new N --backfill-reports N --backfill-days N --concurrency C --during N --workers N --latency MS
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCli } from '../worker/temporal-cli';
import { PIPELINE_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { startSimulator } from '../simulator/server';
import { dayOf, DAY_MS, parseDay } from '../simulator/time';
import { ingestionWorkflow, type IngestionResult } from '../workflows/ingest';
import { runPriority } from '../shared/lane-caller';
import { benchWorker, benchWorkerEnv } from './worker-env';

const { values } = parseArgs({
  options: {
    limit: { type: 'string', default: '10' },
    new: { type: 'string', default: '30' },
    'backfill-reports': { type: 'string', default: '600' },
    'backfill-days': { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '4' },
    during: { type: 'string', default: '3' },
    workers: { type: 'string', default: '1' },
    latency: { type: 'string', default: '20' },
  },
});
const limit = Number(values.limit);
const fresh = Number(values.new);
const root = join(__dirname, '..');

const today = dayOf(Date.now());
const dayBefore = (day: string, n: number) => dayOf((parseDay(day) as number) - n * DAY_MS);
/** The backfill's days end two days ago; the hourly run reads yesterday (its lookback) and today. */
const backfillTo = dayBefore(today, 2);
const backfillFrom = dayBefore(backfillTo, Number(values['backfill-days']) - 1);

const round = (value: number) => Math.round(value * 100) / 100;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main() {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts/bundle-workflows.js')], { cwd: root, stdio: 'ignore' });

  const token = `bench-${randomUUID()}`;
  const dataset = { reports: Number(values['backfill-reports']), from: backfillFrom, to: backfillTo, seed: 2 };
  const simulator = await startSimulator({ port: 0, token, latencyMs: Number(values.latency), dataset });
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: { executable: temporalCli(), ip: '127.0.0.1', searchAttributes: PIPELINE_SEARCH_ATTRIBUTES },
  });
  const dir = mkdtempSync(join(tmpdir(), 'goaudits-bench-priority-'));
  const queue = `bench-${randomUUID()}`;
  const workers: ChildProcess[] = [];
  try {
    const sqlitePath = join(dir, 'goaudits.db');
    const env = {
      ...benchWorkerEnv({
        root,
        temporalAddress: temporal.connection.options.address,
        queue,
        simulator,
        token,
        limitPerSecond: limit,
        sqlitePath,
      }),
      GOAUDITS_START_DATE: dayBefore(today, 1),
    };
    for (let i = 1; i <= Number(values.workers); i++) workers.push(await benchWorker(root, env, `bench-worker-${i}`));

    /** `fresh` new audits completed today, then an hourly run (as the schedule starts it): its seconds. */
    const hourly = async (): Promise<number> => {
      simulator.addReports(fresh);
      const startedAt = Date.now();
      const result = (await temporal.client.workflow.execute(ingestionWorkflow, {
        taskQueue: queue,
        workflowId: `bench-hourly-${randomUUID()}`,
        args: [{}],
        priority: { priorityKey: runPriority('hourly') },
      })) as IngestionResult;
      if (result.counts.ingested !== fresh) throw new Error(`the hourly run ingested ${result.counts.ingested}, not ${fresh}`);
      return (Date.now() - startedAt) / 1000;
    };

    const alone = [await hourly()];
    const backfill = await temporal.client.workflow.start(ingestionWorkflow, {
      taskQueue: queue,
      workflowId: `goaudits-backfill-${backfillFrom}-${backfillTo}`,
      args: [{ from: backfillFrom, to: backfillTo, concurrency: Number(values.concurrency) }],
      priority: { priorityKey: runPriority('backfill') },
    });
    // The backfill reads its windows and enriches at full speed before the hourly runs come.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const during: number[] = [];
    for (let i = 0; i < Number(values.during); i++) {
      during.push(await hourly());
      const { status } = await backfill.describe();
      if (status.name !== 'RUNNING') throw new Error('the backfill ended before the hourly runs did: give it more reports');
    }
    const backfillResult = (await backfill.result()) as IngestionResult;
    alone.push(await hourly());

    const truth = simulator.truth().reports;
    const db = new Database(sqlitePath, { readonly: true });
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    const stored = {
      reports: count('SELECT COUNT(*) AS n FROM GoAuditsReports'),
      answers: count('SELECT COUNT(*) AS n FROM GoAuditsReportAnswers'),
    };
    db.close();
    const expected = {
      reports: truth.length,
      answers: truth.filter((r) => r.hasDetails).reduce((n, r) => n + r.answers.length, 0),
    };
    const counters = simulator.counters();
    console.log(
      JSON.stringify(
        {
          settings: { limitPerSecond: limit, newReports: fresh, backfillConcurrency: Number(values.concurrency), workers: workers.length },
          hourlyAloneSeconds: alone.map(round),
          hourlyDuringBackfillSeconds: during.map(round),
          duringVsAlone: during.map((s) => round(s / mean(alone))),
          meanDuringVsAlone: round(mean(during) / mean(alone)),
          backfill: { ingested: backfillResult.counts.ingested, enriched: backfillResult.enrichment.processed },
          tablesEqualTruth: stored.reports === expected.reports && stored.answers === expected.answers,
          stored,
          expected,
          peakCallsPerSecond: counters.peakCallsPerSecond,
          rateLimited: counters.rateLimited,
        },
        null,
        2,
      ),
    );
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    await Promise.all(
      workers.map((worker) => new Promise((resolve) => (worker.exitCode === null ? worker.once('exit', resolve) : resolve(null)))),
    );
    await temporal.teardown();
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
