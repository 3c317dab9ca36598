import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { TypedSearchAttributes, type SearchAttributeType } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCli } from '../worker/temporal-cli';

/** The embedded Temporal dev server, and how to stop it. */
export interface DevServer {
  temporal: TestWorkflowEnvironment;
  /** Closes the connections, then stops the server and waits until it has exited. */
  stop(): Promise<void>;
}

export interface DevServerOptions {
  dbFilename: string;
  ip: string;
  port: number;
  uiPort: number;
  searchAttributes: { name: string; type: SearchAttributeType }[];
}

/** How long the dev server may take to listen. */
const START_DEADLINE_MS = 60_000;

/**
 * Starts the dev server in a process group of its own: Ctrl-C in the terminal then reaches the
 * launcher alone, which stops its worker first and the server last, so the worker never dials a
 * server that is gone. Only a CLI the SDK downloads itself (no `temporal` in .tools/ or on PATH)
 * runs in the terminal's group, and stops at Ctrl-C together with the worker.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const cli = temporalCli();
  if (cli.type !== 'existing-path') {
    const temporal = await TestWorkflowEnvironment.createLocal({ server: { executable: cli, ...options } });
    return { temporal, stop: () => temporal.teardown() };
  }
  const args = ['server', 'start-dev', '--ip', options.ip, '--port', String(options.port), '--ui-port', String(options.uiPort)];
  args.push('--db-filename', options.dbFilename, '--log-level', 'warn', '--log-format', 'pretty');
  for (const { name, type } of options.searchAttributes)
    args.push('--search-attribute', `${name}=${TypedSearchAttributes.toMetadataType(type)}`);
  const server = spawn(cli.path, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // Its output is shown until it is asked to stop: what it logs then is its own shutdown (its
  // internal workers losing the frontend it is closing), nothing an operator has to act on.
  let stopping = false;
  server.stdout.on('data', (chunk: Buffer) => void (stopping || process.stdout.write(chunk)));
  server.stderr.on('data', (chunk: Buffer) => void (stopping || process.stderr.write(chunk)));
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
  // Should this process end without stopping it (an uncaught error), the server ends with it.
  const orphaned = () => server.kill('SIGTERM');
  process.once('exit', orphaned);
  const address = `${options.ip}:${options.port}`;
  try {
    await listening(options.ip, options.port, exited);
    const temporal = await TestWorkflowEnvironment.createFromExistingServer({ address });
    return {
      temporal,
      async stop() {
        await temporal.teardown();
        stopping = true;
        server.kill('SIGTERM');
        await exited;
        process.off('exit', orphaned);
      },
    };
  } catch (error) {
    server.kill('SIGTERM');
    throw error;
  }
}

/** Waits until the server accepts connections; fails if it exits first (a port taken) or takes too long. */
async function listening(host: string, port: number, exited: Promise<number | null>): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the Temporal dev server exited (code ${exitCode}) before it listened on ${host}:${port}`);
    if (await accepts(host, port)) return;
    if (Date.now() > deadline)
      throw new Error(`the Temporal dev server did not listen on ${host}:${port} within ${START_DEADLINE_MS / 1000} s`);
    await sleep(200);
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
