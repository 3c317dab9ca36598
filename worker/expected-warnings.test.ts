import { readFileSync } from 'node:fs';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { EXPECTED_WARNINGS, withoutExpectedWarnings } from './expected-warnings';

function logged(level: 'DEBUG' | 'WARN' = 'DEBUG') {
  const entries: LogEntry[] = [];
  return { entries, logger: withoutExpectedWarnings(new DefaultLogger(level, (entry) => entries.push(entry))) };
}

test("the API-only worker's warning that it polls for no workflows is dropped, word for word", () => {
  const { entries, logger } = logged();
  logger.warn('No workflows registered, not polling for workflow tasks', { sdkComponent: 'worker', taskQueue: 'goaudits-api' });
  logger.log('WARN', 'No workflows registered, not polling for workflow tasks');
  expect(entries).toEqual([]);
});

test('every other message goes through with its level and metadata, and the level still filters', () => {
  const { entries, logger } = logged();
  logger.warn('No workflows registered, not polling for workflow tasks!');
  logger.warn('Failed to encode heartbeat details, cancelling Activity', { taskQueue: 'goaudits-api' });
  logger.error('No workflows registered, not polling for workflow tasks');
  logger.info('Worker state changed');
  logger.debug('Creating worker');
  expect(entries.map(({ level, message, meta }) => ({ level, message, meta }))).toEqual([
    { level: 'WARN', message: 'No workflows registered, not polling for workflow tasks!', meta: undefined },
    { level: 'WARN', message: 'Failed to encode heartbeat details, cancelling Activity', meta: { taskQueue: 'goaudits-api' } },
    { level: 'ERROR', message: 'No workflows registered, not polling for workflow tasks', meta: undefined },
    { level: 'INFO', message: 'Worker state changed', meta: undefined },
    { level: 'DEBUG', message: 'Creating worker', meta: undefined },
  ]);

  const quiet = logged('WARN');
  quiet.logger.info('Worker state changed');
  expect(quiet.entries).toEqual([]);
});

test('the SDK still words each expected warning so (an upgrade that rewords one shows here)', () => {
  const source = readFileSync(require.resolve('@temporalio/worker/lib/worker.js'), 'utf8');
  for (const warning of EXPECTED_WARNINGS) expect(source).toContain(`this.logger.warn('${warning}')`);
});
