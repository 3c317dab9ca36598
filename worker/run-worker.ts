import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { INGESTION_JOB } from '../activities/store/store';
import type { Environment } from './config';
import { openDependencies, type Dependencies } from './dependencies';
import { healthPort, startHealthServer } from './health';
import { metricsUrl } from './metrics';
import { buildId, describeConnection, temporalConnection, workerIdentity } from './temporal-connection';
import { createWorkers, defaultWorkflowSource, runWorkers } from './workers';
import { ensureSearchAttributes } from './search-attributes';
import { processLog } from './process-log';

/** With a Temporal configured (TEMPORAL_ADDRESS or a profile): only the worker, against the configured services, with its probes. */
export async function runWorker(env: Environment): Promise<void> {
  const connectionOptions = temporalConnection().options;
  const identity = workerIdentity();
  let dependencies: Dependencies | undefined;
  let workers: Worker[] = [];
  /** Ready once both workers run and the store answers a trivial read. */
  const ready = async () => {
    if (!dependencies || workers.length === 0 || workers.some((worker) => worker.getState() !== 'RUNNING')) return false;
    await dependencies.store.watermark(INGESTION_JOB);
    return true;
  };
  const port = healthPort();
  const health = port === undefined ? undefined : await startHealthServer({ port, ready });
  // A client connection besides the workers' own: to check the search attributes, and for the
  // activities that look up how a run's workflow ended.
  const clientConnection = await Connection.connect(connectionOptions);
  const connection = await NativeConnection.connect(connectionOptions);
  try {
    const addedSearchAttributes = await ensureSearchAttributes(clientConnection, env.TEMPORAL_NAMESPACE);
    dependencies = await openDependencies(env, {
      temporal: new Client({ connection: clientConnection, namespace: env.TEMPORAL_NAMESPACE }),
    });
    workers = await createWorkers({
      connection,
      env,
      identity,
      activities: dependencies.activities,
      workflows: defaultWorkflowSource(env.WORKFLOW_BUNDLE_PATH),
    });
    processLog().always.info(
      {
        ...describeConnection(connectionOptions),
        namespace: env.TEMPORAL_NAMESPACE,
        identity,
        buildId: buildId(),
        addedSearchAttributes,
        healthPort: port ?? null,
        metricsUrl: metricsUrl(env) ?? null,
      },
      'worker running',
    );
    await runWorkers(workers);
  } finally {
    await dependencies?.close();
    await connection.close();
    await clientConnection.close();
    await health?.close();
  }
}
