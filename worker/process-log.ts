import { format } from 'node:util';
import pino from 'pino';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/worker';
import { errorFields, logFields } from './log-fields';
import { prettyLine } from './pretty-log';
import { loggerOf } from './sdk-logger';

/**
 * The worker process's log: every line one JSON object (`time`, `level`, `msg`, then the context
 * as fields), or, for a person at a terminal, the same records as readable lines (pretty-log.ts).
 * Built on pino: levels, child loggers, safe serialisation (cycles, BigInt) and redaction come
 * from a well-kept library; the field names and the pretty lines are the pipeline's own.
 */

export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT when set, else pretty on a terminal and JSON anywhere else (a container, a pipe, CI). */
export function resolveLogFormat(configured: LogFormat | undefined, out: { isTTY?: boolean } = process.stdout): LogFormat {
  return configured ?? (out.isTTY ? 'pretty' : 'json');
}

export interface ProcessLog {
  format: LogFormat;
  /** Logs at LOG_LEVEL. */
  logger: pino.Logger;
  /** Logs whatever LOG_LEVEL says: the worker's start, the run summaries. */
  always: pino.Logger;
  /** Writes a line that is one JSON object already (a run summary) in this log's format. */
  writeRecordLine(line: string): void;
}

/** Keys redacted wherever they appear, one level deep: secrets that must never be in a line. */
const SECRET_PATHS = ['taskToken', '*.taskToken', 'token', '*.token', 'authorization', '*.authorization', 'connectionString'];

export function createProcessLog(options: { level: LogLevel; format: LogFormat; out?: { write(text: string): unknown } }): ProcessLog {
  const out = options.out ?? process.stdout;
  const destination =
    options.format === 'json'
      ? out
      : { write: (line: string) => out.write(`${prettyLine(JSON.parse(line) as Record<string, unknown>)}\n`) };
  const logger = pino(
    {
      level: options.level.toLowerCase(),
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label.toUpperCase() }) },
      redact: { paths: SECRET_PATHS, remove: true },
    },
    destination,
  );
  return {
    format: options.format,
    logger,
    always: logger.child({}, { level: 'info' }),
    writeRecordLine: (line) => destination.write(`${line}\n`),
  };
}

const PINO_LEVEL: Readonly<Record<LogLevel, pino.Level>> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** The Temporal SDK's logger over this log: the SDK's messages (Core's, workflows', activities') as its lines. */
export function sdkLogger(logger: pino.Logger): Logger {
  return loggerOf((level: LogLevel, message: string, meta?: LogMetadata) => logger[PINO_LEVEL[level]](logFields(meta), message));
}

/**
 * Sends what else the process writes through the console, Node's own warnings and an uncaught
 * error (an unhandled rejection included) to the log:
 * `console.log` and `console.info` as lines logged whatever the level, an `Error` argument as its
 * fields (one line, the stack a field).
 */
export function routeConsoleToLog(log: ProcessLog): void {
  const lineOf = (args: unknown[]) => {
    const error = args.find((arg): arg is Error => arg instanceof Error);
    const rest = args.filter((arg) => arg !== error);
    return { fields: error ? errorFields(error) : {}, message: rest.length > 0 ? format(...rest) : (error?.message ?? '') };
  };
  const to =
    (logger: pino.Logger, level: pino.Level) =>
    (...args: unknown[]) => {
      const { fields, message } = lineOf(args);
      logger[level](fields, message);
    };
  console.log = to(log.always, 'info');
  console.info = to(log.always, 'info');
  console.warn = to(log.logger, 'warn');
  console.error = to(log.logger, 'error');
  console.debug = to(log.logger, 'debug');
  // Node prints its warnings (deprecations, experimental features) on several lines of its own.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => log.logger.warn(errorFields(warning), warning.message));
  // And an error nothing caught with its stack over many lines: one line, then the process ends as Node would end it.
  process.on('uncaughtException', (error) => {
    log.logger.error(errorFields(error), `uncaught exception: ${error.message}`);
    process.exit(1);
  });
}

let installed: ProcessLog | undefined;

/** This process's log, once `installProcessLog` made it; until then JSON at WARN. */
export function processLog(): ProcessLog {
  return (installed ??= createProcessLog({ level: 'WARN', format: 'json' }));
}

/** This process's log when it writes JSON: output meant for people (the client's progress and outcome) then goes through it as records. */
export const jsonLog = (): ProcessLog | undefined => (installed?.format === 'json' ? installed : undefined);

export function installProcessLog(options: { level: LogLevel; format: LogFormat }): ProcessLog {
  installed = createProcessLog(options);
  return installed;
}
