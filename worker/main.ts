import { ConfigError } from './config';
import { runEntry } from './entry';
import { runWorker } from './run-worker';
import { usesConfiguredTemporal } from './temporal-connection';

/** The image's command: only the worker, against the configured Temporal, GoAudits and store. */
runEntry(async (env) => {
  if (!usesConfiguredTemporal()) {
    throw new ConfigError(
      'no Temporal configured: set TEMPORAL_ADDRESS (or TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE); `npm start` runs the embedded default',
    );
  }
  await runWorker(env);
});
