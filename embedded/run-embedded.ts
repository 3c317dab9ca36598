import { runPriority } from '../shared/lane-caller';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applySchedules } from '../client/schedules';
import { embeddedTemporal, workflowLink } from '../client/connect';
import { followRuns, printOutcome } from '../client/follow-run';
import { timestampedId } from '../client/workflow-ids';
import { simulatorOptionsFromEnvironment, startSimulator } from '../simulator/server';
import { readEnvironment, type Environment } from '../worker/config';
import { openDependencies } from '../worker/dependencies';
import { workerIdentity } from '../worker/temporal-connection';
import { ensureSearchAttributes } from '../worker/search-attributes';
import { PIPELINE_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { createWorkers, defaultWorkflowSource, runWorkers } from '../worker/workers';
import { metricsUrl, SHUTDOWN_SIGNALS } from '../worker/metrics';
import { ingestionWorkflow } from '../workflows';
import { startDevServer } from './dev-server';

/**
 * The embedded default: with nothing configured, one process runs a Temporal dev server that
 * persists to .data/temporal.db (Web UI included), the GoAudits simulator, a SQLite store in
 * .data/goaudits.db and the worker; applies the schedules and starts a first ingestion, whose
 * progress it shows in plain lines until it ends, then one line on how it ended.
 */
export async function runEmbedded(configured: Environment): Promise<void> {
  const dataDir = resolve('.data');
  mkdirSync(dataDir, { recursive: true });
  const simulatorOptions = simulatorOptionsFromEnvironment(process.env);
  const ports = embeddedTemporal();
  const [devServer, simulator] = await Promise.all([
    startDevServer({
      dbFilename: join(dataDir, 'temporal.db'),
      ip: '127.0.0.1',
      port: ports.port,
      uiPort: ports.uiPort,
      searchAttributes: PIPELINE_SEARCH_ATTRIBUTES,
    }),
    startSimulator(simulatorOptions),
  ]);
  const { temporal } = devServer;
  const env = readEnvironment({
    ...process.env,
    GOAUDITS_AUDITSUMMARY_URL: simulator.summaryUrl,
    GOAUDITS_AUDITDETAILS_URL: simulator.detailsUrl,
    GOAUDITS_START_DATE: configured.GOAUDITS_START_DATE ?? simulatorOptions.dataset.from,
  });
  await ensureSearchAttributes(temporal.connection, env.TEMPORAL_NAMESPACE);
  const dependencies = await openDependencies(env, {
    temporal: temporal.client,
    processEnv: { GOAUDITS_BEARER_TOKEN: simulatorOptions.token },
  });
  // Ctrl-C (and npm's copy of it), a kill or the terminal closing stops the workers (the SDK's
  // runtime sees it: running activities finish within the grace time, or are handed back) and at
  // once the first ingestion's progress; then the simulator, and the dev server last, once nothing
  // dials it. The dev server runs in a process group of its own, so no signal of the terminal's
  // reaches it: this process stops it, or it would outlive the launcher holding its ports.
  const stopping = new AbortController();
  for (const signal of SHUTDOWN_SIGNALS) {
    process.on(signal, () => {
      if (stopping.signal.aborted) return;
      console.log('stopping: the worker first (running batches finish or are handed back), then the simulator and the dev server');
      stopping.abort();
    });
  }
  let firstIngestion: Promise<void> | undefined;
  let firstResult: Promise<unknown> | undefined;
  try {
    const workers = await createWorkers({
      connection: temporal.nativeConnection,
      env,
      identity: workerIdentity(),
      activities: dependencies.activities,
      workflows: defaultWorkflowSource(),
    });
    const running = runWorkers(workers);
    const schedules = await applySchedules(temporal.client, env);
    const workflowId = timestampedId('goaudits-ingestion-first');
    const first = await temporal.client.workflow.start(ingestionWorkflow, {
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      workflowId,
      args: [{}],
      priority: { priorityKey: runPriority('hourly') },
    });
    console.log(
      [
        'GoAudits pipeline running on embedded defaults (Ctrl-C stops it; data stays in .data/)',
        `  Temporal Web UI   http://localhost:${ports.uiPort}  (first ingestion: ${workflowLink(env, workflowId)})`,
        `  Temporal address  ${ports.address}`,
        `  GoAudits (sim)    ${simulator.url}  (${simulatorOptions.dataset.reports} reports, ${simulatorOptions.dataset.from}..${simulatorOptions.dataset.to})`,
        `  SQLite database   ${resolve(env.SQLITE_PATH)}`,
        `  Metrics           ${metricsUrl(env) ?? 'off (METRICS_PORT=0)'}`,
        ...schedules.map((line) => `  schedule          ${line}`),
        `  try               npm run pipeline -- sql "SELECT TOP (20) JobName, Status, RunStartedUtc, Message FROM dbo.JobRunHistory ORDER BY RunStartedUtc DESC"`,
      ].join('\n'),
    );
    // In plain lines: the workers of this process log to the same terminal at any moment, and
    // bars redrawn in place would write over their lines.
    // Its wait for the result is cancelled at Ctrl-C, and awaited before the connection closes: a
    // wait the client retries after the connection closed would crash the process.
    firstResult = temporal.client.connection.withAbortSignal(stopping.signal, () => first.result());
    const firstRun = { label: 'first ingestion', workflowId, result: firstResult };
    firstIngestion = followRuns(temporal.client, [firstRun], stopping.signal, { plain: true }).then(
      ([outcome]) => outcome && printOutcome(outcome, false),
    );
    await running;
  } finally {
    stopping.abort();
    await firstIngestion;
    await firstResult?.catch(() => undefined);
    await dependencies.close();
    await simulator.close();
    await devServer.stop();
    console.log('stopped');
  }
}
