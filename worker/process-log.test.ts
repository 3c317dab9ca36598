import { spawnSync } from 'node:child_process';
import { createProcessLog, resolveLogFormat, sdkLogger } from './process-log';

function logged(format: 'json' | 'pretty', level: 'INFO' | 'WARN' = 'WARN') {
  const lines: string[] = [];
  const log = createProcessLog({ level, format, out: { write: (text: string) => lines.push(...text.split('\n').filter(Boolean)) } });
  return { log, lines };
}

test('LOG_FORMAT wins; unset, a terminal gets pretty lines and anything else JSON', () => {
  expect(resolveLogFormat('json', { isTTY: true })).toBe('json');
  expect(resolveLogFormat(undefined, { isTTY: true })).toBe('pretty');
  expect(resolveLogFormat(undefined, { isTTY: false })).toBe('json');
  expect(resolveLogFormat(undefined, {})).toBe('json');
});

test("the SDK's messages are one JSON object a line, filtered by LOG_LEVEL, without a task token even nested", () => {
  const { log, lines } = logged('json');
  const sdk = sdkLogger(log.logger);
  sdk.info('Activity completed', { taskToken: 'secret-token' });
  sdk.warn('Activity failed', {
    taskToken: 'secret-token',
    activityType: 'ingestWindow',
    error: new Error('two\nlines'),
    details: { taskToken: 'x' },
  });
  expect(lines).toHaveLength(1);
  expect(lines[0]).not.toContain('taskToken');
  expect(JSON.parse(lines[0])).toEqual({
    level: 'WARN',
    time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    msg: 'Activity failed',
    activity: 'ingestWindow',
    errorType: 'Error',
    error: 'two\nlines',
    stack: expect.stringContaining('Error: two'),
    details: {},
  });
});

test('lines logged whatever the level, and a summary line written as it is (JSON) or read (pretty)', () => {
  const json = logged('json', 'WARN');
  json.log.always.info({ identity: 'w' }, 'worker running');
  json.log.writeRecordLine('{"level":"INFO","msg":"run summary","jobName":"GoAuditsIngestion"}');
  expect(json.lines.map((line) => JSON.parse(line).msg)).toEqual(['worker running', 'run summary']);
  expect(json.lines[1]).toBe('{"level":"INFO","msg":"run summary","jobName":"GoAuditsIngestion"}');

  const pretty = logged('pretty');
  pretty.log.writeRecordLine('{"time":"2026-12-06T06:53:36.907Z","level":"INFO","msg":"run summary","jobName":"GoAuditsIngestion"}');
  expect(pretty.lines).toEqual(['06:53:36.907 INFO  run summary  jobName=GoAuditsIngestion']);
});

test("a process's console, Node's warnings and an uncaught rejection become one-line records, and the process still ends with 1", () => {
  const script = `
    const { createProcessLog, routeConsoleToLog } = require(${JSON.stringify(require.resolve('./process-log'))});
    routeConsoleToLog(createProcessLog({ level: 'WARN', format: 'json' }));
    console.log('banner\\n  second line');
    console.error('failed', new Error('two\\nlines'));
    process.emitWarning('careful', 'DeprecationWarning');
    Promise.reject(new Error('nobody caught me'));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
  expect(run.status).toBe(1);
  const records = `${run.stdout}${run.stderr}`
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(records.map(({ level, msg, errorType }) => ({ level, msg, errorType }))).toEqual([
    { level: 'INFO', msg: 'banner\n  second line', errorType: undefined },
    { level: 'ERROR', msg: 'failed', errorType: 'Error' },
    { level: 'WARN', msg: 'careful', errorType: 'DeprecationWarning' },
    { level: 'ERROR', msg: 'uncaught exception: nobody caught me', errorType: 'Error' },
  ]);
});
