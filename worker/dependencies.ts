import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import { createActivities, type Activities } from '../activities';
import { workflowRunsOf } from '../activities/workflow-runs';
import { createGoAuditsClient } from '../activities/goaudits/client';
import { tokenSourceFromEnvironment } from '../activities/goaudits/token-source-from-environment';
import { openSqliteStore } from '../activities/store/sqlite-store';
import { SqlServerConfigError, sqlServerConfigFromEnvironment } from '../activities/store/sqlserver-config';
import type { Store } from '../activities/store/store';
import { ConfigError, type Environment } from './config';
import { pipelineSettings } from './settings';
import { createCallLane } from '../activities/goaudits/call-lane';
import { laneOptions } from './lane-options';
import { meteredPipeline } from '../activities/pipeline-metrics';
import { processLog } from './process-log';
import { currentTracing } from './tracing';
import { tracedGoAudits } from './traced-goaudits';
import { tracedStore } from './traced-store';
import { createCallLatency } from '../activities/goaudits/call-latency';

export interface Dependencies {
  store: Store;
  activities: Activities;
  close(): Promise<void>;
}

/** The store named by the configuration: SQL Server when SQL_SERVER (or SQL_CONNECTION_STRING) is set, else SQLite. */
export async function openStore(env: Environment, processEnv: NodeJS.ProcessEnv = process.env): Promise<Store> {
  const sqlServer = sqlServerConfig(processEnv);
  // The SQL Server driver is loaded only when it is used: it costs an embedded worker memory.
  const store = sqlServer
    ? await (await import('../activities/store/sqlserver-store')).openSqlServerStore(sqlServer)
    : openSqliteStore(env.SQLITE_PATH);
  await store.migrate();
  return store;
}

function sqlServerConfig(processEnv: NodeJS.ProcessEnv) {
  try {
    return sqlServerConfigFromEnvironment(processEnv);
  } catch (error) {
    throw error instanceof SqlServerConfigError ? new ConfigError(error.message) : error;
  }
}

/** Opens the store and the GoAudits client, and builds the activities over them. */
export async function openDependencies(
  env: Environment,
  {
    temporal,
    processEnv = process.env,
    writeLine,
  }: {
    /** A client of the Temporal namespace the workers serve. */
    temporal: Pick<Client, 'workflow'>;
    processEnv?: NodeJS.ProcessEnv;
    /** Where the one-line JSON run summaries go (the process's log by default). */
    writeLine?: (line: string) => void;
  },
): Promise<Dependencies> {
  const { GOAUDITS_AUDITSUMMARY_URL: summaryUrl, GOAUDITS_AUDITDETAILS_URL: detailsUrl } = env;
  if (!summaryUrl || !detailsUrl) {
    throw new ConfigError('GOAUDITS_AUDITSUMMARY_URL and GOAUDITS_AUDITDETAILS_URL must both be set');
  }
  // With tracing on, a span per GoAudits call and per store transaction, inside the activity's span.
  const traced = currentTracing() !== undefined;
  const opened = await openStore(env, processEnv);
  const store = traced ? tracedStore(opened) : opened;
  // On the SDK runtime's meter, exported with the SDK's own metrics (worker/metrics.ts); a no-op when METRICS_PORT is 0.
  const metrics = meteredPipeline(Runtime.instance().metricMeter, { rateLimitPerSecond: env.GOAUDITS_RATE_LIMIT_PER_SECOND });
  // Every GoAudits call of this process feeds it; the batches' and windows' concurrency follows it.
  const latency = createCallLatency((snapshot) => metrics.latencySeen(snapshot));
  const client = createGoAuditsClient(
    {
      summaryUrl,
      detailsUrl,
      tokenSource: tokenSourceFromEnvironment(processEnv),
      status: env.GOAUDITS_STATUS,
      filterId: env.GOAUDITS_FILTER_ID,
      timeoutMs: env.GOAUDITS_HTTP_TIMEOUT_MS,
      maxResponseBytes: env.GOAUDITS_MAX_RESPONSE_MB * 2 ** 20,
    },
    (call) => {
      metrics.apiCall(call);
      latency.ended(call);
    },
    () => latency.sent(),
  );
  const goaudits = traced ? tracedGoAudits(client) : client;
  return {
    store,
    activities: createActivities({
      store,
      goaudits,
      lane: createCallLane(store, laneOptions(env), metrics),
      latency,
      workflowRuns: workflowRunsOf(temporal),
      settings: pipelineSettings(env),
      metrics,
      writeLine: writeLine ?? ((line) => processLog().writeRecordLine(line)),
    }),
    async close() {
      await goaudits.close();
      await store.close();
    },
  };
}
