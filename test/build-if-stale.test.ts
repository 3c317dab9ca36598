import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestServer } from './harness';

jest.setTimeout(300_000);

const repo = join(__dirname, '..');
/** What `npm run pipeline` needs: the scripts, the compiled folders and their configuration. */
const COPIED = [
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'scripts',
  'shared',
  'workflows',
  'activities',
  'worker',
  'client',
  'embedded',
  'simulator',
];

let server: TestServer;
let project: string;

beforeAll(async () => {
  server = await TestServer.start();
  // A copy of the project with its own dist/, so the test neither races nor replaces the repository's build.
  project = mkdtempSync(join(tmpdir(), 'goaudits-build-'));
  for (const entry of COPIED) cpSync(join(repo, entry), join(project, entry), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(project, 'node_modules'));
});

afterAll(async () => {
  await server?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
});

/** `npm run pipeline -- status` in the copy, against the test's dev server. */
function pipelineStatus(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('npm', ['run', 'pipeline', '--', 'status'], {
    cwd: project,
    env: { ...process.env, TEMPORAL_ADDRESS: server.env.address, TEMPORAL_TASK_QUEUE: 'goaudits-build-test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (text: string) => (run.stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (run.stderr += text));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, ...run })));
}

const builtAt = () => statSync(join(project, 'dist', '.built-at')).mtimeMs;
const compiledClient = () => statSync(join(project, 'dist', 'client', 'main.js')).mtimeMs;

test('npm run pipeline builds when a source is newer than dist/, and not again while nothing changed', async () => {
  const first = await pipelineStatus();
  expect(first.stderr).toContain('building: a source is newer than dist/');
  expect(first.code).toBe(0);
  expect(first.stdout).toContain('no ingestion, backfill, sweep or reconcile is running');
  const build = { stamp: builtAt(), client: compiledClient() };

  const second = await pipelineStatus();
  expect(second.code).toBe(0);
  expect(second.stdout).toContain('no ingestion, backfill, sweep or reconcile is running');
  expect(second.stderr).not.toContain('building');
  expect({ stamp: builtAt(), client: compiledClient() }).toEqual(build);

  // A source saved after the build makes the next run build again.
  const later = new Date(build.stamp + 5_000);
  utimesSync(join(project, 'client', 'status.ts'), later, later);
  const third = await pipelineStatus();
  expect(third.stderr).toContain('building: a source is newer than dist/');
  expect(third.code).toBe(0);
  expect(builtAt()).toBeGreaterThan(build.stamp);
});
