import { runEntry } from '../worker/entry';
import { runWorker } from '../worker/run-worker';
import { usesConfiguredTemporal } from '../worker/temporal-connection';

/**
 * `npm start`: with a Temporal configured, only the worker, as the image runs it; with nothing
 * configured, the embedded default (a dev server, the simulator, SQLite and the worker in one
 * process). The embedded mode is loaded only then: it needs @temporalio/testing, a dev dependency
 * the image omits.
 */
runEntry(async (env) => {
  if (usesConfiguredTemporal()) await runWorker(env);
  else await (await import('./run-embedded')).runEmbedded(env);
});
