import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from './free-port';
import { until } from './until';

jest.setTimeout(180_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'goaudits-embedded-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the SDK, the dev server or gRPC print when something dials a server that is gone or going. */
const ALARMING =
  /network dial error|level=(WARN|ERROR)|Failed to poll|retried \d+ times|Network error|connection refused|Channel has been shut down/i;

/** The embedded launcher in a process group of its own, as a terminal's foreground job, running its first ingestion. */
async function startLauncher() {
  const [port, uiPort, simPort] = [await freePort(), await freePort(), await freePort()];
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  const launcher = spawn(process.execPath, ['--import', tsx, join(__dirname, '../embedded/main.ts')], {
    // A data folder of each run's own: its first ingestion has reports to enrich.
    cwd: mkdtempSync(join(dir, 'run-')),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      // Nothing configured: the embedded default.
      TEMPORAL_ADDRESS: '',
      TEMPORAL_PROFILE: '',
      TEMPORAL_CONFIG_FILE: '',
      EMBEDDED_TEMPORAL_PORT: String(port),
      EMBEDDED_TEMPORAL_UI_PORT: String(uiPort),
      SIM_PORT: String(simPort),
      METRICS_PORT: '0',
      HEALTH_PORT: '0',
    },
  });
  const run = { launcher, port, output: '', exited: new Promise<number | null>((resolve) => launcher.once('exit', resolve)) };
  launcher.stdout.setEncoding('utf8').on('data', (text: string) => (run.output += text));
  launcher.stderr.setEncoding('utf8').on('data', (text: string) => (run.output += text));
  // Stopped while the first ingestion's batches run: the moment the old order failed.
  await until(
    async () => run.output,
    (text) => /reports [1-9]\d*\/\d+/.test(text),
    'the first ingestion enriching reports',
    90_000,
  );
  return run;
}

/** Whether something listens on the port (the dev server's gRPC port). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('Ctrl-C on the embedded launcher stops the worker before the dev server: nothing alarming after "stopping"', async () => {
  const run = await startLauncher();
  try {
    // Ctrl-C reaches every process in the terminal's foreground group.
    process.kill(-run.launcher.pid!, 'SIGINT');
    expect(await run.exited).toBe(0);
  } finally {
    if (run.launcher.exitCode === null) process.kill(-run.launcher.pid!, 'SIGKILL');
  }
  // Off a terminal the launcher's own lines are JSON records: each is read as its message, other lines as they are.
  const lines = run.output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        const record = JSON.parse(line) as { msg?: unknown };
        return typeof record.msg === 'string' ? record.msg : line;
      } catch {
        return line;
      }
    });
  const afterStopping = lines.slice(lines.findIndex((line) => line.startsWith('stopping: the worker first')));
  expect(afterStopping[0]).toMatch(/^stopping: the worker first/);
  expect(afterStopping.at(-1)).toBe('stopped');
  expect(afterStopping.filter((line) => ALARMING.test(line))).toEqual([]);
});

test('the terminal closing (SIGHUP) stops the embedded launcher and its dev server, which would otherwise keep its port', async () => {
  const run = await startLauncher();
  try {
    // The dev server runs in a group of its own: the terminal's hang-up reaches the launcher alone.
    process.kill(-run.launcher.pid!, 'SIGHUP');
    expect(await run.exited).toBe(0);
  } finally {
    if (run.launcher.exitCode === null) process.kill(-run.launcher.pid!, 'SIGKILL');
  }
  expect(await listening(run.port)).toBe(false);
});
