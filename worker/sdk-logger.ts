import type { LogLevel, LogMetadata, Logger } from '@temporalio/worker';

/** The Temporal SDK's `Logger` over one function that takes every message with its level. */
export function loggerOf(log: (level: LogLevel, message: string, meta?: LogMetadata) => void): Logger {
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
