import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ConfigError, readEnvironment, type Environment } from '../worker/config';
import { applySchedules } from './schedules';
import { connectClient, workflowLink } from './connect';
import { runbookQueryForSqlite } from './runbook-sql';
import { startBackfill } from './backfill';
import { status } from './status';
import { pauseUpdate, resumeUpdate, tuneUpdate } from '../workflows/controls';

const USAGE = `usage: npm run pipeline -- <command> [options]
  schedules                        create or update the ingestion and enrichment schedules
  backfill --from D [--to D]       start a backfill of that range (watermark left alone);
           [--refresh] [--dry-run] [--batch-size N] [--concurrency N] [--rate N] [--window-days N]
                                   --refresh: fetch again the details of every audit in the range, stored or not
  status                           running ingestions, backfills and sweeps with their progress, and the schedules
  pause|resume <workflow id>       pause or resume a running backfill or ingestion
  tune <workflow id> [--batch-size N] [--concurrency N] [--rate N]
                                   change a running backfill's batch size, concurrency or calls per second
  cancel <workflow id>             stop a run: in-flight work finishes or is rolled back, nothing half-written
  watermark --set D|null           rewind (or clear) the ingestion watermark, through the worker
  quarantine                       the reports sweeps skip after repeated failures, with their last errors
  requeue <report id>...|--all     put quarantined reports back for the next sweep
  missed-days                      summary days that still failed; the next hourly runs read them again
  ingest [--from D] [--to D]       run an ingestion now and wait for it
  sweep [--limit N]                run an enrichment sweep now and wait for it
  sql "<query>"                    run a runbook SQL query against the embedded SQLite store`;

const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));

async function startAndWait(env: Environment, workflowType: string, workflowId: string, input: object) {
  const client = await connectClient(env);
  const handle = await client.workflow.start(workflowType, { taskQueue: env.TEMPORAL_TASK_QUEUE, workflowId, args: [input] });
  console.log(`started ${workflowId}\n  ${workflowLink(env, workflowId)}`);
  console.log(JSON.stringify(await handle.result(), null, 2));
}

function printQuery(env: Environment, sql: string) {
  if (env.SQL_SERVER) throw new ConfigError('sql reads the embedded SQLite store; with SQL_SERVER set, run the runbook query in your SQL client as written');
  const db = new Database(env.SQLITE_PATH, { readonly: true, fileMustExist: true });
  try {
    console.table(db.prepare(runbookQueryForSqlite(sql)).all());
  } finally {
    db.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const env = readEnvironment();
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      set: { type: 'string' },
      'dry-run': { type: 'boolean' },
      refresh: { type: 'boolean' },
      'batch-size': { type: 'string' },
      concurrency: { type: 'string' },
      rate: { type: 'string' },
      'window-days': { type: 'string' },
      all: { type: 'boolean' },
    },
  });
  const [command, ...rest] = positionals;
  const tuning = { batchSize: number(values['batch-size']), concurrency: number(values.concurrency), rateLimitPerSecond: number(values.rate) };
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
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
      const result = await startBackfill(await connectClient(env), env, input);
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    case 'status':
      return status(await connectClient(env), env);
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
      return startAndWait(env, 'watermarkWorkflow', `goaudits-watermark-${stamp}`, { set });
    }
    case 'quarantine':
      return startAndWait(env, 'quarantineWorkflow', `goaudits-quarantine-${stamp}`, {});
    case 'requeue': {
      if (!values.all && rest.length === 0) throw new ConfigError('requeue needs report ids, or --all');
      return startAndWait(env, 'quarantineWorkflow', `goaudits-requeue-${stamp}`, { requeue: values.all ? 'all' : rest });
    }
    case 'missed-days':
      return startAndWait(env, 'missedDaysWorkflow', `goaudits-missed-days-${stamp}`, {});
    case 'ingest':
      return startAndWait(env, 'ingestionWorkflow', `goaudits-ingestion-manual-${stamp}`, { from: values.from, to: values.to });
    case 'sweep':
      return startAndWait(env, 'enrichmentWorkflow', `goaudits-enrichment-manual-${stamp}`, { limit: number(values.limit) });
    case 'sql':
      return printQuery(env, rest.join(' '));
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2))
  .then(() => process.exit())
  .catch((error: unknown) => {
    console.error(causes(error));
    process.exit(1);
  });

/** An error and its causes, one message each (a failed update's reason is in its cause). */
function causes(error: unknown): string {
  const messages: string[] = [];
  for (let cause = error; cause instanceof Error; cause = cause.cause) messages.push(cause.message);
  return messages.length ? messages.join(': ') : String(error);
}
