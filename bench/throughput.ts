/**
 * How close the pipeline comes to GoAudits' rate limit, side by side with a plain script.
 *
 * One command: a dev server, the simulator, then the plain-script baseline (bench/plain-calls.ts)
 * and the pipeline (N real worker processes from dist/, with the prebuilt workflow bundle, on one
 * SQLite file) over the same data. Prints both wall times, their ratios to the floor (calls / limit)
 * and to each other, the peak calls GoAudits saw in any second, history events per report and each
 * worker's peak RSS.
 *
 *   npx tsx bench/throughput.ts                                   # the simulator's default data, hourly run, limit 10
 *   npx tsx bench/throughput.ts --workers 3
 *   npx tsx bench/throughput.ts --reports 2200 --days 30 --limit 20 --backfill
 *   npx tsx bench/throughput.ts --reports 2200 --days 30 --limit 1000 --concurrency 8 --backfill
 *
 * Options: --reports N --days N --limit R --concurrency C --batch-size B --workers N --backfill --latency MS
 *          --worker-node-options='...' (NODE_OPTIONS of the workers)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCli } from '../worker/temporal-cli';
import { PIPELINE_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { startSimulator } from '../simulator/server';
import { dayOf, DAY_MS, parseDay } from '../simulator/time';
import { plainCalls } from './plain-calls';
import { ingestionWorkflow, type IngestionResult } from '../workflows/ingest';

const { values } = parseArgs({
  options: {
    reports: { type: 'string', default: '300' },
    days: { type: 'string', default: '14' },
    limit: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '2' },
    'batch-size': { type: 'string', default: '50' },
    workers: { type: 'string', default: '1' },
    latency: { type: 'string', default: '20' },
    backfill: { type: 'boolean', default: false },
    /** NODE_OPTIONS for the worker processes: by default the image's (see the Dockerfile). */
    'worker-node-options': { type: 'string', default: '--max-old-space-size=128 --max-semi-space-size=2' },
  },
});
const reports = Number(values.reports);
const days = Number(values.days);
const limit = Number(values.limit);
const concurrency = Number(values.concurrency);
const workerCount = Number(values.workers);
const root = join(__dirname, '..');

const to = dayOf(Date.now());
const from = dayOf((parseDay(to) as number) - (days - 1) * DAY_MS);
const allDays = Array.from({ length: days }, (_, i) => dayOf((parseDay(from) as number) + i * DAY_MS));

/** A process's peak resident memory (VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
  return line ? Math.round(Number(line[1]) / 1024) : NaN;
}

function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(root, 'dist/worker/main.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it ran`)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('"worker running"')) resolve(child);
    });
  });
}

async function main() {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts/bundle-workflows.js')], { cwd: root, stdio: 'ignore' });

  const token = `bench-${randomUUID()}`;
  const simulator = await startSimulator({ port: 0, token, latencyMs: Number(values.latency), dataset: { reports, from, to, seed: 1 } });
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: { executable: temporalCli(), ip: '127.0.0.1', searchAttributes: PIPELINE_SEARCH_ATTRIBUTES },
  });
  const dir = mkdtempSync(join(tmpdir(), 'goaudits-bench-'));
  const workers: ChildProcess[] = [];
  try {
    const plain = await plainCalls({ ...simulator, token }, allDays, { limitPerSecond: limit, concurrency });
    const plainPeak = simulator.counters().peakCallsPerSecond;
    simulator.resetCounters();

    const queue = `bench-${randomUUID()}`;
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.connection.options.address,
      TEMPORAL_TASK_QUEUE: queue,
      GOAUDITS_API_TASK_QUEUE: `${queue}-api`,
      GOAUDITS_AUDITSUMMARY_URL: simulator.summaryUrl,
      GOAUDITS_AUDITDETAILS_URL: simulator.detailsUrl,
      GOAUDITS_BEARER_TOKEN: token,
      GOAUDITS_RATE_LIMIT_PER_SECOND: String(limit),
      GOAUDITS_ENRICH_CONCURRENCY: String(concurrency),
      GOAUDITS_ENRICH_BATCH_SIZE: values['batch-size'],
      GOAUDITS_START_DATE: from,
      GOAUDITS_END_DATE: to,
      SQLITE_PATH: join(dir, 'goaudits.db'),
      WORKFLOW_BUNDLE_PATH: join(root, 'dist/workflow-bundle.js'),
      HEALTH_PORT: '0',
      // Several workers on one machine: none serves metrics (each would want port 9464).
      METRICS_PORT: '0',
      LOG_LEVEL: 'ERROR',
      NODE_OPTIONS: values['worker-node-options'],
    };
    for (let i = 0; i < workerCount; i++) workers.push(await startWorker({ ...env, WORKER_IDENTITY: `bench-worker-${i + 1}` }));

    const workflowId = `bench-${values.backfill ? 'backfill' : 'hourly'}-${randomUUID()}`;
    const startedAt = Date.now();
    const handle = await temporal.client.workflow.start(ingestionWorkflow, {
      taskQueue: queue,
      workflowId,
      args: [values.backfill ? { from, to } : {}],
    });
    const etas = sampleEtas(handle);
    const result = (await handle.result()) as IngestionResult;
    const endedAt = Date.now();
    const seconds = (endedAt - startedAt) / 1000;
    const counters = simulator.counters();

    let events = 0;
    let runs = 0;
    for await (const run of temporal.client.workflow.list({ query: `WorkflowId STARTS_WITH '${workflowId}'` })) {
      runs++;
      events += (await temporal.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory()).events?.length ?? 0;
    }
    const floor = counters.requests / limit;
    const ingested = result.counts.ingested;
    console.log(
      JSON.stringify(
        {
          data: { reports, days, from, to, ingested, enriched: result.enrichment.processed, failed: result.enrichment.failedCount },
          settings: {
            limitPerSecond: limit,
            concurrency,
            batchSize: Number(values['batch-size']),
            workers: workerCount,
            backfill: values.backfill,
          },
          plain: {
            calls: plain.calls,
            seconds: round(plain.seconds),
            vsFloor: round(plain.seconds / (plain.calls / limit)),
            peakCallsPerSecond: plainPeak,
          },
          pipeline: {
            calls: counters.requests,
            seconds: round(seconds),
            vsFloor: round(seconds / floor),
            vsPlain: round(seconds / plain.seconds),
            peakCallsPerSecond: counters.peakCallsPerSecond,
            rateLimited: counters.rateLimited,
            workflowRuns: runs,
            historyEventsPerReport: round(events / Math.max(1, ingested)),
            peakWorkerRssMiB: workers.map((worker) => peakRssMiB(worker.pid!)),
            etaErrorAtHalfway: etaErrorAtHalfway(await etas.stop(), startedAt, endedAt),
          },
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

const round = (value: number) => Math.round(value * 100) / 100;

/** The run's ETA (progress query), once a second, until stopped. */
function sampleEtas(handle: { query<T>(name: string): Promise<T> }) {
  const samples: { atMs: number; etaMs?: number }[] = [];
  const timer = setInterval(() => {
    const atMs = Date.now();
    handle.query<{ etaUtc?: string }>('progress').then(
      (p) => samples.push({ atMs, etaMs: p.etaUtc ? Date.parse(p.etaUtc) : undefined }),
      () => undefined,
    );
  }, 1000);
  return {
    async stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

/**
 * How far off the ETA read at half the run's time was: (ETA - real end) over the time that was
 * left then. Absent when no ETA was shown there.
 */
function etaErrorAtHalfway(samples: { atMs: number; etaMs?: number }[], startedAt: number, endedAt: number) {
  const half = (startedAt + endedAt) / 2;
  const sample = samples.filter((s) => s.etaMs !== undefined).sort((a, b) => Math.abs(a.atMs - half) - Math.abs(b.atMs - half))[0];
  return sample ? round((sample.etaMs! - endedAt) / (endedAt - sample.atMs)) : null;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
