/**
 * How close the pipeline comes to GoAudits' rate limit, side by side with a plain script.
 *
 * One command: a dev server, the simulator, then the plain-script baseline (bench/plain-calls.ts)
 * and the pipeline (N real worker processes from dist/, with the prebuilt workflow bundle, on one
 * SQLite file) over the same data. Prints both wall times, their ratios to the floor (calls / limit)
 * and to each other, the peak calls GoAudits saw in any second, history events per report, each
 * worker's peak RSS, and how far off the run's ETA was at 25 %, 50 % and 75 % of its time.
 *
 *   npx tsx bench/throughput.ts                                   # the simulator's default data, hourly run, limit 10
 *   npx tsx bench/throughput.ts --workers 3
 *   npx tsx bench/throughput.ts --reports 2200 --days 30 --limit 20 --backfill
 *   npx tsx bench/throughput.ts --reports 2200 --days 30 --limit 1000 --concurrency 8 --backfill
 *
 * The ETA's shapes of run (--no-plain: the pipeline alone):
 *   npx tsx bench/throughput.ts --no-plain --reports 710 --limit 10                          # ~650 calls at 10/s
 *   npx tsx bench/throughput.ts --no-plain --reports 2250 --days 30 --limit 20 --backfill --continue-as-new-after 600
 *   npx tsx bench/throughput.ts --no-plain --reports 710 --limit 10 --pause-at 5 --pause-for 15
 *
 * Options: --reports N --days N --limit R --concurrency C --batch-size B --workers N --backfill --latency MS
 *          --worker-node-options='...' (NODE_OPTIONS of the workers) --no-plain (skip the plain script)
 *          --continue-as-new-after N (the run's history length before it continues as new)
 *          --pause-at S --pause-for S (pause the run S seconds after its start, resume it S seconds later)
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
import { pauseUpdate, resumeUpdate } from '../workflows/controls';
import type { Progress } from '../workflows/progress';

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
    'no-plain': { type: 'boolean', default: false },
    'continue-as-new-after': { type: 'string' },
    'pause-at': { type: 'string' },
    'pause-for': { type: 'string', default: '15' },
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
  execFileSync(process.execPath, [join(root, 'scripts/build-if-stale.js')], { cwd: root, stdio: 'inherit' });
  execFileSync(process.execPath, [join(root, 'scripts/bundle-workflows.js')], { cwd: root, stdio: 'ignore' });

  const token = `bench-${randomUUID()}`;
  const simulator = await startSimulator({ port: 0, token, latencyMs: Number(values.latency), dataset: { reports, from, to, seed: 1 } });
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: { executable: temporalCli(), ip: '127.0.0.1', searchAttributes: PIPELINE_SEARCH_ATTRIBUTES },
  });
  const dir = mkdtempSync(join(tmpdir(), 'goaudits-bench-'));
  const workers: ChildProcess[] = [];
  try {
    const plain = values['no-plain']
      ? { calls: NaN, seconds: NaN }
      : await plainCalls({ ...simulator, token }, allDays, { limitPerSecond: limit, concurrency });
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
      args: [
        {
          ...(values.backfill ? { from, to } : {}),
          ...(values['continue-as-new-after'] ? { continueAsNewAfterEvents: Number(values['continue-as-new-after']) } : {}),
        },
      ],
    });
    const etas = sampleEtas(handle);
    const pausing = values['pause-at'] ? pauseOnce(handle, Number(values['pause-at']), Number(values['pause-for'])) : undefined;
    const result = (await handle.result()) as IngestionResult;
    await pausing;
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
            etaError: etaErrors(await etas.stop(), startedAt, endedAt),
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

/** One sample of the run's progress query: its ETA, or why it had none. */
interface EtaSample {
  atMs: number;
  etaMs?: number;
  noEta?: string;
}

/** The run's ETA (progress query), once a second, until stopped. */
function sampleEtas(handle: { query<T>(name: string): Promise<T> }) {
  const samples: EtaSample[] = [];
  const timer = setInterval(() => {
    const atMs = Date.now();
    handle.query<Progress>('progress').then(
      (p) => samples.push({ atMs, etaMs: p.etaUtc ? Date.parse(p.etaUtc) : undefined, noEta: p.noEtaBecause }),
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

/** Pauses the run `atSeconds` after its start and resumes it `forSeconds` later. */
async function pauseOnce(
  handle: { executeUpdate: (update: typeof pauseUpdate) => Promise<unknown> },
  atSeconds: number,
  forSeconds: number,
) {
  await new Promise((resolve) => setTimeout(resolve, atSeconds * 1000));
  await handle.executeUpdate(pauseUpdate);
  await new Promise((resolve) => setTimeout(resolve, forSeconds * 1000));
  await handle.executeUpdate(resumeUpdate);
}

/**
 * How far off the ETA was at 25 %, 50 % and 75 % of the run's time: (ETA - real end) over the
 * time that was left then, from the sample nearest each moment; or why the run showed none there.
 */
function etaErrors(samples: EtaSample[], startedAt: number, endedAt: number) {
  const at = (share: number) => {
    const moment = startedAt + share * (endedAt - startedAt);
    const sample = [...samples].sort((a, b) => Math.abs(a.atMs - moment) - Math.abs(b.atMs - moment))[0];
    if (!sample) return null;
    return sample.etaMs === undefined ? (sample.noEta ?? 'no ETA') : round((sample.etaMs - endedAt) / (endedAt - sample.atMs));
  };
  return { at25: at(0.25), at50: at(0.5), at75: at(0.75) };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
