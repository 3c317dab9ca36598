import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { ConfigError, readEnvironment, type Environment } from './config';
import { openDependencies } from './dependencies';
import { createWorkers, defaultWorkflowSource, runWorkers } from './workers';
import { runEmbedded } from './embedded';

/** With TEMPORAL_ADDRESS set: only the worker, against the configured services. */
async function runWorker(env: Environment & { TEMPORAL_ADDRESS: string }): Promise<void> {
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  const dependencies = await openDependencies(env);
  try {
    const workers = await createWorkers({
      connection,
      env,
      activities: dependencies.activities,
      workflows: defaultWorkflowSource(),
    });
    console.log(JSON.stringify({ msg: 'worker running', address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE }));
    await runWorkers(workers);
  } finally {
    await dependencies.close();
    await connection.close();
  }
}

async function main(): Promise<void> {
  const env = readEnvironment();
  Runtime.install({ logger: new DefaultLogger(env.LOG_LEVEL) });
  if (env.TEMPORAL_ADDRESS) await runWorker({ ...env, TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS });
  else await runEmbedded(env);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
