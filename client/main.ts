import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ConfigError, readEnvironment, type Environment } from '../worker/config';
import { applySchedules } from './schedules';
import { connectClient, workflowLink } from './connect';
import { runbookQueryForSqlite } from './runbook-sql';

const USAGE = `usage: npm run pipeline -- <command>
  schedules                  create or update the ingestion and enrichment schedules
  ingest [--from D] [--to D] run an ingestion now (dates YYYY-MM-DD) and wait for it
  sweep [--limit N]          run an enrichment sweep now and wait for it
  sql "<query>"              run a runbook SQL query against the embedded SQLite store`;

async function startAndWait(env: Environment, workflowType: string, workflowId: string, input: object) {
  const client = await connectClient(env);
  const handle = await client.workflow.start(workflowType, { taskQueue: env.TEMPORAL_TASK_QUEUE, workflowId, args: [input] });
  console.log(`started ${workflowId}\n  ${workflowLink(env, workflowId)}`);
  console.log(JSON.stringify(await handle.result(), null, 2));
}

function printQuery(env: Environment, sql: string) {
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
    options: { from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string' } },
  });
  const [command, ...rest] = positionals;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  switch (command) {
    case 'schedules': {
      const client = await connectClient(env);
      for (const line of await applySchedules(client, env)) console.log(line);
      return;
    }
    case 'ingest':
      return startAndWait(env, 'ingestionWorkflow', `goaudits-ingestion-manual-${stamp}`, { from: values.from, to: values.to });
    case 'sweep':
      return startAndWait(env, 'enrichmentWorkflow', `goaudits-enrichment-manual-${stamp}`, {
        limit: values.limit === undefined ? undefined : Number(values.limit),
      });
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
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
