import { ConfigError, readEnvironment, type Environment } from './config';
import { installRuntime } from './metrics';
import { installProcessLog, processLog, resolveLogFormat, routeConsoleToLog } from './process-log';
import { errorFields } from './log-fields';
import { startTracing } from './tracing';

/**
 * Runs a process's main work with the configuration read, its log (worker/process-log.ts), the
 * SDK runtime and, when asked for, tracing (worker/tracing.ts) installed; a bad configuration ends the process with its message alone, any
 * other failure with its type and stack, each as one line of the log.
 */
export function runEntry(run: (env: Environment) => Promise<void>): void {
  const started = async () => {
    const env = readEnvironment();
    const log = installProcessLog({ level: env.LOG_LEVEL, format: resolveLogFormat(env.LOG_FORMAT) });
    routeConsoleToLog(log);
    installRuntime(env, log);
    const tracing = await startTracing('goaudits-worker');
    try {
      await run(env);
    } finally {
      await tracing?.shutdown();
    }
  };
  started().catch((error: unknown) => {
    const { logger } = processLog();
    if (error instanceof ConfigError) logger.error({ errorType: error.name }, error.message);
    else logger.error(errorFields(error), `worker stopped: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
