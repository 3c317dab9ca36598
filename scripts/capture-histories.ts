/**
 * Captures a history of every workflow type, in the shapes runs take in production (an hourly
 * ingestion with its enrichment, a backfill that continues as new while it is paused and tuned,
 * an auth halt, a cancelled backfill, a sweep, a dry run, a bad range, the operator's small
 * workflows, a reconcile that repairs and deletes across continue-as-new, and its dry run), as JSON
 * files the Temporal tools read. Run it at each release:
 *
 *   npx tsx scripts/capture-histories.ts [--out test/fixtures/histories/<version>]
 *
 * and commit the folder: test/replay.test.ts replays every saved history against the code of
 * the day, so a change that would break a run of that release still in flight fails CI.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { TestServer, type Pipeline } from '../test/harness';
import { until } from '../test/until';
import type { Progress } from '../workflows/progress';
import { temporalCli } from '../worker/temporal-cli';
import { version } from '../package.json';
import {
  deletedReportsWorkflow,
  enrichmentWorkflow,
  ingestionWorkflow,
  missedDaysWorkflow,
  quarantineWorkflow,
  reconcileWorkflow,
  watermarkWorkflow,
} from '../workflows';

const { values } = parseArgs({ options: { out: { type: 'string', default: join(__dirname, '..', 'test/fixtures/histories', version) } } });
const out = values.out;

/** Five days of audits: enough for windows, batches and a continue-as-new. */
const DAYS = { GOAUDITS_START_DATE: '2025-10-01', GOAUDITS_END_DATE: '2025-10-05', GOAUDITS_ENRICH_BATCH_SIZE: '5' };

const cli = temporalCli();
if (cli.type !== 'existing-path') throw new Error('the Temporal CLI is needed: run `bash scripts/setup.sh` first');
const cliPath = cli.path;

/**
 * Saves every run of the workflow (a continued-as-new one has several) as `<name>.json`,
 * `<name>-2.json`, ..., written by the Temporal CLI (`temporal workflow show --output json`).
 */
async function save(p: Pipeline, name: string, workflowId: string): Promise<void> {
  const runs: string[] = [];
  for await (const run of p.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run.runId);
  runs.reverse();
  for (const [i, runId] of runs.entries()) {
    const args = ['workflow', 'show', '--address', p.temporal.address, '--workflow-id', workflowId, '--run-id', runId, '--output', 'json'];
    writeFileSync(join(out, `${name}${i === 0 ? '' : `-${i + 1}`}.json`), execFileSync(cliPath, args));
  }
  console.log(`${name}: ${runs.length} run(s)`);
}

/** Waits for the run's end, whatever it is. */
const settled = (handle: WorkflowHandle) => handle.result().catch(() => undefined);

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const server = await TestServer.start();
  try {
    const p = await server.pipeline({ env: DAYS });
    await p.execute(ingestionWorkflow, {}, 'hourly');
    await save(p, 'hourly', 'hourly');
    await p.execute(enrichmentWorkflow, {}, 'sweep');
    await save(p, 'sweep', 'sweep');
    await p.execute(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-05', dryRun: true }, 'dry-run');
    await save(p, 'dry-run', 'dry-run');
    await settled(await p.start(ingestionWorkflow, { from: '2025-10-05', to: '2025-10-01' }, 'invalid-range'));
    await save(p, 'invalid-range', 'invalid-range');
    await p.execute(watermarkWorkflow, { set: '2025-10-02T00:00:00Z' }, 'watermark');
    await save(p, 'watermark', 'watermark');
    await p.execute(quarantineWorkflow, { requeue: 'all' }, 'quarantine');
    await save(p, 'quarantine', 'quarantine');
    await p.execute(missedDaysWorkflow, undefined, 'missed-days');
    await save(p, 'missed-days', 'missed-days');
    const range = { from: '2025-10-01', to: '2025-10-05' };
    await p.execute(reconcileWorkflow, { ...range, details: 'all', dryRun: true }, 'reconcile-dry-run');
    await save(p, 'reconcile-dry-run', 'reconcile-dry-run');
    // Drift on both sides, then a reconcile that repairs it, deletes what is gone, and continues as new.
    p.simulator.deleteReports({ count: 2 });
    p.simulator.editReportsSilently({ count: 2 });
    await p.execute(reconcileWorkflow, { ...range, details: 2, repair: true, deleteGone: true, continueAsNewAfterEvents: 30 }, 'reconcile');
    await save(p, 'reconcile-repaired', 'reconcile');
    await p.execute(deletedReportsWorkflow, {}, 'deleted-reports');
    await save(p, 'deleted-reports', 'deleted-reports');
    await p.stop();

    // More days than the windows a run reads ahead at first (8), so the backfill continues as new while windows are left.
    const slow = await server.pipeline({
      env: { ...DAYS, GOAUDITS_RATE_LIMIT_PER_SECOND: '10' },
      simulator: { dataset: { reports: 90, from: '2025-10-01', to: '2025-10-14' } },
    });
    const backfill = await slow.start(
      ingestionWorkflow,
      { from: '2025-10-01', to: '2025-10-14', continueAsNewAfterEvents: 40 },
      'backfill',
    );
    await until(
      () => backfill.query<Progress>('progress'),
      (progress) => progress.windowsDone > 0,
      'a window done',
    );
    await backfill.executeUpdate('pause');
    await backfill.executeUpdate('tune', { args: [{ batchSize: 3, concurrency: 2, rateLimitPerSecond: 8 }] });
    await backfill.executeUpdate('resume');
    await backfill.result();
    await save(slow, 'backfill-continued', 'backfill');
    const cancelled = await slow.start(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-05', windowDays: 2 }, 'cancelled');
    await until(
      () => cancelled.query<Progress>('progress'),
      (progress) => progress.windowsDone > 0,
      'a window done',
    );
    await cancelled.cancel();
    await settled(cancelled);
    await save(slow, 'cancelled', 'cancelled');
    await slow.stop();

    const revoking = await server.pipeline({ env: DAYS, simulator: { revokeTokenAfterCalls: 20 } });
    await settled(await revoking.start(ingestionWorkflow, {}, 'auth-halt'));
    await save(revoking, 'auth-halt', 'auth-halt');
    await revoking.stop();
  } finally {
    await server.stop();
  }
  console.log(`histories saved in ${out}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
