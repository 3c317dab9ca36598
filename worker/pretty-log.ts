/**
 * One log record, as a person at a terminal reads it: the time of day, the level, the message,
 * then the context as `key=value` on the same line; an error's stack follows on lines of its own.
 * The fields every line of a process shares (namespace, task queue, the component) are left out.
 */

const LEFT_OUT = new Set(['time', 'level', 'msg', 'stack', 'namespace', 'taskQueue', 'component', 'isLocal']);

export function prettyLine(record: Readonly<Record<string, unknown>>): string {
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const level = text(record.level).padEnd(5);
  const context = Object.entries(record)
    .filter(([key, value]) => !LEFT_OUT.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  const line = [`${time} ${level} ${text(record.msg)}`, context.join(' ')].filter((part) => part !== '').join('  ');
  return typeof record.stack === 'string' ? `${line}\n${indent(record.stack)}` : line;
}

const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value ?? ''));

const indent = (stack: string) =>
  stack
    .split('\n')
    .map((line) => `    ${line.trim()}`)
    .join('\n');
