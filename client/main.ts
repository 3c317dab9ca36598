import { parseArgs } from 'node:util';
import type { Client, WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { ConfigError, readEnvironment, type Environment } from '../worker/config';
import { currentTracing, startTracing } from '../worker/tracing';
import { installProcessLog, jsonLog, resolveLogFormat, routeConsoleToLog } from '../worker/process-log';
import { applySchedules } from './schedules';
import { connectClient, workflowLink } from './connect';
import { runbookQueryForSqlite } from './runbook-sql';
import { startBackfill } from './backfill';
import { isReconcileResult, reconcileExitCode, reconcileTable, startReconcile } from './reconcile';
import { status } from './status';
import { timestampedId } from './workflow-ids';
import { followRuns, printOutcome, type RunToFollow } from './follow-run';
import { detachedLine, failureReason, worstExitCode } from './run-outcome';
import { pauseUpdate, resumeUpdate, tuneUpdate } from '../workflows/controls';
import { runPriority } from '../shared/lane-caller';
import {
  deletedReportsWorkflow,
  enrichmentWorkflow,
  ingestionWorkflow,
  missedDaysWorkflow,
  quarantineWorkflow,
  watermarkWorkflow,
} from '../workflows';

const USAGE = `usage: npm run pipeline -- <command> [options]   (or, once built: npx goaudits-pipeline <command> [options])
  schedules                        create or update the ingestion, enrichment and reconcile schedules
  backfill --from D [--to D]       start a backfill of that range (watermark left alone);
           [--refresh] [--dry-run] [--wait] [--batch-size N] [--concurrency N|auto] [--rate N] [--window-days N]
           [--max-calls-per-day N]  at most N GoAudits calls a UTC day (default GOAUDITS_BACKFILL_MAX_CALLS_PER_DAY),
                                   then it waits for the next day, or for tune to raise it
                                   --refresh: fetch again the details of every audit in the range, stored or not
                                   --wait: show its progress until it ends (Ctrl-C leaves it running)
  status [--watch]                 running ingestions, backfills, sweeps and reconciles with their progress, and the schedules;
                                   --watch: then show their progress until they end (Ctrl-C leaves them running)
  pause|resume <workflow id>       pause or resume a running backfill or ingestion
  tune <workflow id> [--batch-size N] [--concurrency N|auto] [--rate N] [--max-calls-per-day N]
                                   change a running backfill's batch size, concurrency, calls per second or daily budget
  cancel <workflow id>             stop a run: in-flight work finishes or is rolled back, nothing half-written
  watermark --set D|null           rewind (or clear) the ingestion watermark, through the worker
  quarantine                       the reports sweeps skip after repeated failures, with their last errors
  requeue <report id>...|--all     put quarantined reports back for the next sweep
  missed-days                      summary days that still failed; the next hourly runs read them again
  ingest [--from D] [--to D]       run an ingestion now and show its progress until it ends (Ctrl-C leaves it running)
  sweep [--limit N]                run an enrichment sweep now and show its progress until it ends (Ctrl-C leaves it running)
  reconcile --from D [--to D]      prove the tables match GoAudits over that range (see README "Proving the tables match GoAudits");
           [--details N|all] [--repair] [--delete-gone] [--dry-run] [--wait] [--batch-size N] [--concurrency N] [--rate N]
                                   --details: also compare the answers of N reports per day (a fixed sample), or of all
                                   --repair: mend what differs through the normal windows and batches, then check again
                                   --delete-gone: with --repair, delete reports GoAudits no longer lists (never on a suspect day)
                                   --wait: show its progress, then a table and the result; exit 0 identical, 3 differences remain
  deleted [--limit N]              the reports reconciles deleted (kept in GoAuditsDeletedReports), latest first
  sql "<query>"                    run a runbook SQL query against the embedded SQLite store
ingest, sweep, backfill --wait and status --watch exit 0 when the run succeeded, 1 when it failed,
2 when it was cancelled, terminated or timed out, 130 on Ctrl-C (the run goes on); reconcile --wait
exits 3 when it succeeded but differences remain.`;

const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));

/** Starts a run on the pipeline's task queue and prints its workflow id and Web UI page. */
async function startRun<W extends Workflow>(env: Environment, workflow: W, workflowId: string, args: Parameters<W>, priorityKey?: number) {
  const client = await connectClient(env);
  // The options' conditional `args` type does not resolve for a generic W; the parameter's type checks each call.
  const handle = await client.workflow.start(workflow, {
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    workflowId,
    args,
    ...(priorityKey === undefined ? {} : { priority: { priorityKey } }),
  } as unknown as WorkflowStartOptions<W>);
  const log = jsonLog();
  if (log) log.always.info({ workflowId, link: workflowLink(env, workflowId) }, `started ${workflowId}`);
  else console.log(`started ${workflowId}\n  ${workflowLink(env, workflowId)}`);
  return { client, handle };
}

/** Starts a short run and prints its result. */
async function startAndWait<W extends Workflow>(env: Environment, workflow: W, workflowId: string, args: Parameters<W>) {
  const { handle } = await startRun(env, workflow, workflowId, args);
  const result: unknown = await handle.result();
  const log = jsonLog();
  if (log) log.always.info({ workflowId, result }, `${workflowId} ended`);
  else console.log(JSON.stringify(result, null, 2));
}

/** Starts a long run and follows it (see `follow`). */
async function startAndFollow<W extends Workflow>(
  env: Environment,
  label: string,
  workflow: W,
  workflowId: string,
  args: Parameters<W>,
  priorityKey: number,
) {
  const { client, handle } = await startRun(env, workflow, workflowId, args, priorityKey);
  return follow(client, [{ label, workflowId, result: handle.result() }]);
}

/** Follows the newest runs under these workflow ids (so a run that continued as new too), labelled by their ids. */
function followIds(client: Client, workflowIds: string[], label?: string) {
  return follow(
    client,
    workflowIds.map((workflowId) => ({ label: label ?? workflowId, workflowId, result: client.workflow.getHandle(workflowId).result() })),
  );
}

/**
 * Shows the runs' progress until they end, then one line each on how it ended and, for a run
 * that succeeded, its result as JSON (for scripts); the exit code says how they ended. Ctrl-C
 * detaches: the runs go on, and the line says how to cancel them.
 */
async function follow(client: Client, runs: RunToFollow[]): Promise<void> {
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  const outcomes = await followRuns(client, runs, interrupt.signal);
  if (interrupt.signal.aborted) {
    for (const run of runs) console.error(detachedLine(run.workflowId));
    process.exitCode = 130;
    return;
  }
  const ended = outcomes.flatMap((outcome) => (outcome ? [outcome] : []));
  for (const outcome of ended) printOutcome(outcome, true);
  process.exitCode = worstExitCode(ended.map((outcome) => outcome.exitCode));
}

/**
 * Follows a reconcile to its end like `follow`; when it succeeded, prints its table, then its
 * result as JSON, and exits 0 when the range is identical at the end, 3 when differences remain.
 */
async function followReconcile(client: Client, workflowId: string): Promise<void> {
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  const [outcome] = await followRuns(
    client,
    [{ label: 'reconcile', workflowId, result: client.workflow.getHandle(workflowId).result() }],
    interrupt.signal,
  );
  if (!outcome) {
    console.error(detachedLine(workflowId));
    process.exitCode = 130;
    return;
  }
  printOutcome(outcome, false);
  if (!isReconcileResult(outcome.result)) {
    process.exitCode = outcome.exitCode;
    return;
  }
  console.log(reconcileTable(outcome.result));
  console.log(JSON.stringify(outcome.result, null, 2));
  process.exitCode = reconcileExitCode(outcome.result);
}

/** Loads the SQLite driver only for this command: the others start without it. */
async function printQuery(env: Environment, sql: string) {
  if (env.SQL_SERVER)
    throw new ConfigError('sql reads the embedded SQLite store; with SQL_SERVER set, run the runbook query in your SQL client as written');
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(env.SQLITE_PATH, { readonly: true, fileMustExist: true });
  try {
    console.table(db.prepare(runbookQueryForSqlite(sql)).all());
  } finally {
    db.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const env = readEnvironment();
  // Off a terminal (a job, CI, a pipe into a log store) every line is a JSON record, as the worker's are; on one, or with
  // LOG_FORMAT=pretty, the lines people read. Decided by stderr, where progress and logs go: `… | jq` keeps the bars.
  if (resolveLogFormat(env.LOG_FORMAT, process.stderr) === 'json') {
    routeConsoleToLog(installProcessLog({ level: env.LOG_LEVEL, format: 'json' }));
  }
  await startTracing('goaudits-client');
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      set: { type: 'string' },
      'dry-run': { type: 'boolean' },
      wait: { type: 'boolean' },
      watch: { type: 'boolean' },
      refresh: { type: 'boolean' },
      'batch-size': { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      'max-calls-per-day': { type: 'string' },
      'window-days': { type: 'string' },
      all: { type: 'boolean' },
      details: { type: 'string' },
      repair: { type: 'boolean' },
      'delete-gone': { type: 'boolean' },
    },
  });
  const [command, ...rest] = positionals;
  const tuning = {
    batchSize: number(values['batch-size']),
    concurrency: values.concurrency === 'auto' ? ('auto' as const) : number(values.concurrency),
    rateLimitPerSecond: number(values.rate),
    maxCallsPerDay: number(values['max-calls-per-day']),
  };
  switch (command) {
    case 'schedules':
      for (const line of await applySchedules(await connectClient(env), env)) console.log(line);
      return;
    case 'backfill': {
      if (!values.from) throw new ConfigError('backfill needs --from YYYY-MM-DD');
      const input = {
        from: values.from,
        to: values.to,
        refresh: values.refresh,
        dryRun: values['dry-run'],
        windowDays: number(values['window-days']),
        ...tuning,
      };
      const client = await connectClient(env);
      const result = await startBackfill(client, env, input);
      if (!values.wait || input.dryRun) {
        console.log(JSON.stringify(result, null, 2));
        return;
      }
      // Started, or already running: either way, its workflow id.
      const { workflowId } = result as { workflowId: string };
      return followIds(client, [workflowId], input.refresh ? 'refresh' : 'backfill');
    }
    case 'status': {
      const client = await connectClient(env);
      const running = await status(client, env);
      return values.watch ? followIds(client, running) : undefined;
    }
    case 'pause':
    case 'resume':
    case 'tune': {
      const handle = (await connectClient(env)).workflow.getHandle(rest[0]);
      const controls =
        command === 'tune'
          ? await handle.executeUpdate(tuneUpdate, { args: [tuning] })
          : await handle.executeUpdate(command === 'pause' ? pauseUpdate : resumeUpdate);
      console.log(JSON.stringify(controls));
      return;
    }
    case 'cancel':
      await (await connectClient(env)).workflow.getHandle(rest[0]).cancel();
      console.log(`cancellation requested: ${rest[0]}`);
      return;
    case 'watermark': {
      if (values.set === undefined) throw new ConfigError('watermark needs --set YYYY-MM-DD (or --set null)');
      const set = values.set === 'null' ? null : values.set;
      return startAndWait(env, watermarkWorkflow, timestampedId('goaudits-watermark'), [{ set }]);
    }
    case 'quarantine':
      return startAndWait(env, quarantineWorkflow, timestampedId('goaudits-quarantine'), [{}]);
    case 'requeue': {
      if (!values.all && rest.length === 0) throw new ConfigError('requeue needs report ids, or --all');
      return startAndWait(env, quarantineWorkflow, timestampedId('goaudits-requeue'), [{ requeue: values.all ? 'all' : rest }]);
    }
    case 'missed-days':
      return startAndWait(env, missedDaysWorkflow, timestampedId('goaudits-missed-days'), []);
    case 'ingest':
      return startAndFollow(
        env,
        'ingestion',
        ingestionWorkflow,
        timestampedId('goaudits-ingestion-manual'),
        [{ from: values.from, to: values.to }],
        runPriority(values.from ? 'backfill' : 'hourly'),
      );
    case 'sweep':
      return startAndFollow(
        env,
        'sweep',
        enrichmentWorkflow,
        timestampedId('goaudits-enrichment-manual'),
        [{ limit: number(values.limit) }],
        runPriority('enrichment'),
      );
    case 'reconcile': {
      if (!values.from) throw new ConfigError('reconcile needs --from YYYY-MM-DD');
      const details = values.details === 'all' ? ('all' as const) : number(values.details);
      const input = {
        from: values.from,
        to: values.to,
        details,
        repair: values.repair,
        deleteGone: values['delete-gone'],
        dryRun: values['dry-run'],
        ...tuning,
      };
      const client = await connectClient(env);
      const started = await startReconcile(client, env, input);
      if (!values.wait || input.dryRun) {
        console.log(JSON.stringify(started, null, 2));
        return;
      }
      return followReconcile(client, (started as { workflowId: string }).workflowId);
    }
    case 'deleted':
      return startAndWait(env, deletedReportsWorkflow, timestampedId('goaudits-deleted'), [{ limit: number(values.limit) }]);
    case 'sql':
      return printQuery(env, rest.join(' '));
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2))
  // The spans still buffered go out before the process ends.
  .finally(() => currentTracing()?.shutdown())
  .then(() => process.exit())
  .catch((error: unknown) => {
    console.error(failureReason(error));
    process.exit(1);
  });
