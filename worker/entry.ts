import { ConfigError, readEnvironment, type Environment } from './config';
import { installRuntime } from './metrics';

/**
 * Runs a process's main work with the configuration read and the SDK runtime installed; a bad
 * configuration ends the process with its message alone, any other failure with its stack.
 */
export function runEntry(run: (env: Environment) => Promise<void>): void {
  const started = async () => {
    const env = readEnvironment();
    installRuntime(env);
    await run(env);
  };
  started().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}
