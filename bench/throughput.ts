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
 *   npx tsx bench/throughput.ts --latencies 20,400,1000           # the same run at each latency, side by side
 *   npx tsx bench/throughput.ts --latency 400 --reports 1500 --days 30 --jump-to 1500 --jump-after 30
 *                                                                 # GoAudits slows down mid-run: how soon the run is back at 90 % of the limit
 *
 * The ETA's shapes of run (--no-plain: the pipeline alone):
 *   npx tsx bench/throughput.ts --no-plain --reports 710 --limit 10                          # ~650 calls at 10/s
 *   npx tsx bench/throughput.ts --no-plain --reports 2250 --days 30 --limit 20 --backfill --continue-as-new-after 600
 *   npx tsx bench/throughput.ts --no-plain --reports 710 --limit 10 --pause-at 5 --pause-for 15
 *
 * Options: --reports N --days N --limit R --concurrency C|auto --batch-size B --workers N --backfill --latency MS
 *          --latencies MS,MS,... --tail F (the latency's p95 is F times its median; 1: none)
 *          --jump-to MS --jump-after S (the simulator's latency changes to MS, S seconds into the pipeline's run)
 *          --worker-node-options='...' (NODE_OPTIONS of the workers) --no-plain (skip the plain script)
 *          --continue-as-new-after N (the run's history length before it continues as new)
 *          --pause-at S --pause-for S (pause the run S seconds after its start, resume it S seconds later)
 * The plain script keeps `concurrency` calls in flight, or with `auto` as many as Little's law asks
 * for at the latency's p95 (the pipeline's own rule), so both can reach the limit; or
 * --plain-concurrency N (to compare with a run of another version under the same baseline).
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
import { startSimulator, type Simulator } from '../simulator/server';
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
    concurrency: { type: 'string', default: 'auto' },
    'batch-size': { type: 'string', default: '50' },
    workers: { type: 'string', default: '1' },
    latency: { type: 'string', default: '20' },
    latencies: { type: 'string' },
    tail: { type: 'string', default: '1' },
    'plain-concurrency': { type: 'string' },
    'jump-to': { type: 'string' },
    'jump-after': { type: 'string', default: '30' },
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
const concurrency = values.concurrency;
const latencies = (values.latencies ?? values.latency).split(',').map(Number);
const tail = Number(values.tail);
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
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: { executable: temporalCli(), ip: '127.0.0.1', searchAttributes: PIPELINE_SEARCH_ATTRIBUTES },
  });
  try {
    const runs = [];
    for (const latency of latencies) {
      const run = await scenario(temporal, latency);
      console.log(JSON.stringify(run, null, 2));
      runs.push(run);
    }
    if (runs.length > 1) {
      console.log('\nlatency (p50/p95)  plain: s, x floor  pipeline: s, x floor, x plain  peak calls/s  most in flight');
      for (const { settings, plain, pipeline } of runs) {
        console.log(
          `${settings.latencyMs}/${settings.latencyP95Ms ?? settings.latencyMs} ms`.padEnd(19) +
            `${plain.seconds} s, ${plain.vsFloor}x`.padEnd(18) +
            `${pipeline.seconds} s, ${pipeline.vsFloor}x, ${pipeline.vsPlain}x`.padEnd(31) +
            `${pipeline.peakCallsPerSecond}`.padEnd(14) +
            `${pipeline.peakCallsInFlight}`,
        );
      }
    }
  } finally {
    await temporal.teardown();
  }
}

/** One run at this latency: the plain script, then the pipeline, on a simulator and a SQLite file of their own. */
async function scenario(temporal: TestWorkflowEnvironment, latencyMs: number) {
  const latencyP95Ms = tail > 1 ? Math.round(latencyMs * tail) : undefined;
  const token = `bench-${randomUUID()}`;
  const simulator = await startSimulator({ port: 0, token, latencyMs, latencyP95Ms, dataset: { reports, from, to, seed: 1 } });
  const dir = mkdtempSync(join(tmpdir(), 'goaudits-bench-'));
  const workers: ChildProcess[] = [];
  try {
    const plainConcurrency = values['plain-concurrency']
      ? Number(values['plain-concurrency'])
      : concurrency === 'auto'
        ? Math.max(2, Math.ceil(limit * ((latencyP95Ms ?? latencyMs) / 1000) * 1.5) + 1)
        : Number(concurrency);
    const plain = values['no-plain']
      ? { calls: NaN, seconds: NaN }
      : await plainCalls({ ...simulator, token }, allDays, { limitPerSecond: limit, concurrency: plainConcurrency });
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
      GOAUDITS_ENRICH_CONCURRENCY: concurrency,
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
    const rates = sampleCalls(simulator);
    const jump =
      values['jump-to'] === undefined ? undefined : latencyJump(simulator, Number(values['jump-to']), Number(values['jump-after']));
    const result = (await handle.result()) as IngestionResult;
    await pausing;
    const endedAt = Date.now();
    jump?.cancel();
    const seconds = (endedAt - startedAt) / 1000;
    const counters = simulator.counters();
    const calls = rates.stop();

    let events = 0;
    let runs = 0;
    for await (const run of temporal.client.workflow.list({ query: `WorkflowId STARTS_WITH '${workflowId}'` })) {
      runs++;
      events += (await temporal.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory()).events?.length ?? 0;
    }
    const floor = counters.requests / limit;
    const ingested = result.counts.ingested;
    return {
      data: { reports, days, from, to, ingested, enriched: result.enrichment.processed, failed: result.enrichment.failedCount },
      settings: {
        limitPerSecond: limit,
        latencyMs,
        latencyP95Ms,
        concurrency,
        plainConcurrency,
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
        peakCallsInFlight: counters.peakConcurrency,
        rateLimited: counters.rateLimited,
        workflowRuns: runs,
        historyEventsPerReport: round(events / Math.max(1, ingested)),
        peakWorkerRssMiB: workers.map((worker) => peakRssMiB(worker.pid!)),
        etaError: etaErrors(await etas.stop(), startedAt, endedAt),
        ...(jump ? { latencyJump: jump.recovery(calls, limit) } : {}),
      },
    };
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    await Promise.all(
      workers.map((worker) => new Promise((resolve) => (worker.exitCode === null ? worker.once('exit', resolve) : resolve(null)))),
    );
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The requests GoAudits has received, sampled every 250 ms. */
function sampleCalls(simulator: Simulator) {
  const samples: { atMs: number; requests: number }[] = [];
  const timer = setInterval(() => samples.push({ atMs: Date.now(), requests: simulator.counters().requests }), 250);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

/** What the run's call rate needs to be back at after GoAudits slowed down: this share of the limit, over RECOVERY_WINDOW_MS. */
const RECOVERED_SHARE = 0.9;
const RECOVERY_WINDOW_MS = 5_000;

/**
 * Changes the simulator's latency to `toMs` (median and tail alike scaled) `afterS` seconds
 * from now, through its control endpoint as an operator's test would; then tells how long the
 * run took to be back at RECOVERED_SHARE of the limit over RECOVERY_WINDOW_MS, and its calls per
 * second in the minute after the jump.
 */
function latencyJump(simulator: Simulator, toMs: number, afterS: number) {
  let jumpedAtMs: number | undefined;
  const timer = setTimeout(() => {
    jumpedAtMs = Date.now();
    const p95 = tail > 1 ? Math.round(toMs * tail) : null;
    void fetch(`${simulator.url}/__sim/faults`, { method: 'POST', body: JSON.stringify({ latencyMs: toMs, latencyP95Ms: p95 }) });
  }, afterS * 1000);
  return {
    cancel: () => clearTimeout(timer),
    recovery(samples: { atMs: number; requests: number }[], limitPerSecond: number) {
      /** The last sample at or before `ms`. */
      const lastBefore = (ms: number) => [...samples].reverse().find((s) => s.atMs <= ms);
      if (jumpedAtMs === undefined) return { jumped: false };
      const at = jumpedAtMs;
      const rateOver = (endIndex: number) => {
        const end = samples[endIndex];
        const start = lastBefore(end.atMs - RECOVERY_WINDOW_MS);
        return start ? ((end.requests - start.requests) * 1000) / (end.atMs - start.atMs) : undefined;
      };
      const after = samples.map((s, i) => ({ ...s, rate: rateOver(i) })).filter((s) => s.atMs >= at + RECOVERY_WINDOW_MS);
      const back = after.find((s) => (s.rate ?? 0) >= RECOVERED_SHARE * limitPerSecond);
      const minuteEnd = lastBefore(at + 60_000);
      const atJump = lastBefore(at);
      return {
        jumped: true,
        toLatencyMs: toMs,
        lowestCallsPerSecond: round(Math.min(...after.map((s) => s.rate ?? Infinity))),
        backAbove90PercentAfterS: back ? round((back.atMs - at) / 1000) : null,
        callsPerSecondInTheMinuteAfter:
          minuteEnd && atJump && minuteEnd.atMs > atJump.atMs
            ? round(((minuteEnd.requests - atJump.requests) * 1000) / (minuteEnd.atMs - atJump.atMs))
            : null,
      };
    },
  };
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
