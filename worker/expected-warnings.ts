import type { LogLevel, LogMetadata, Logger } from '@temporalio/worker';
import { loggerOf } from './sdk-logger';

/**
 * SDK warnings this pipeline causes on purpose, matched word for word, so an operator does not
 * take them for a fault. Every other warning, and every error, goes through.
 * - The GoAudits API worker runs activities only (worker/workers.ts), so at each start the SDK
 *   says it has no workflows to poll for.
 */
export const EXPECTED_WARNINGS: ReadonlySet<string> = new Set(['No workflows registered, not polling for workflow tasks']);

/** The runtime's logger without the expected warnings: `Runtime.install({ logger: withoutExpectedWarnings(new DefaultLogger(level)) })`. */
export function withoutExpectedWarnings(logger: Logger): Logger {
  return loggerOf((level: LogLevel, message: string, meta?: LogMetadata) => {
    if (level !== 'WARN' || !EXPECTED_WARNINGS.has(message)) logger.log(level, message, meta);
  });
}
