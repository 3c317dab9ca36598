import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Workflow } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  bundleWorkflowCode,
  type Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { readEnvironment, type Environment } from '../worker/config';
import { openDependencies, type Dependencies } from '../worker/dependencies';
import { createWorkers, runWorkers } from '../worker/workers';
import { temporalCli } from '../worker/temporal-cli';
import { workflowBundleOptions } from '../worker/workflow-tracing';
import { PIPELINE_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { startSimulator, type Simulator, type SimulatorOptions } from '../simulator/server';

/** Where a test's dev server listens and keeps its data; unset: a free port, in memory. */
export interface DevServerOptions {
  /** Also serve the Web UI there (for the browser test). */
  uiPort?: number;
  /** The frontend's port: fixed, so that a restarted server is found where its workers left it. */
  port?: number;
  /** A SQLite file the server persists to: workflows outlive a restart. */
  dbFilename?: string;
}

/**
 * One real Temporal dev server and one workflow bundle per test file; for each pipeline, a
 * fresh GoAudits simulator on a free port, a fresh SQLite file and task queues of its own.
 */
export class TestServer {
  private constructor(
    private current: TestWorkflowEnvironment,
    readonly bundle: WorkflowBundleWithSourceMap,
    private readonly options: DevServerOptions,
  ) {}

  static async start(options: DevServerOptions = {}): Promise<TestServer> {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    const [env, bundle] = await Promise.all([
      devServer(options),
      bundleWorkflowCode({ ...workflowBundleOptions(require.resolve('../workflows')), logger: quietBundler }),
    ]);
    return new TestServer(env, bundle, options);
  }

  /** The running dev server and its client (a new one after `restart`). */
  get env(): TestWorkflowEnvironment {
    return this.current;
  }

  /**
   * Stops the dev server and starts it again on the same port and database file, as a Temporal
   * restart would; `whileDown` runs in between. Handles and clients of the old server are closed:
   * take new ones from `env` (a pipeline's `client` follows).
   */
  async restart(whileDown: () => Promise<void> = async () => undefined): Promise<void> {
    if (this.options.port === undefined || this.options.dbFilename === undefined) {
      throw new Error('a dev server restarts only with a fixed port and a database file');
    }
    await this.current.teardown();
    await whileDown();
    this.current = await devServer(this.options);
  }

  async stop(): Promise<void> {
    await this.current.teardown();
  }

  /**
   * Starts a simulator, a SQLite store and, unless `inProcessWorker` is false, the workers in
   * this process; `stop()` ends them all.
   */
  async pipeline(
    options: { simulator?: Partial<SimulatorOptions>; env?: Record<string, string>; inProcessWorker?: boolean } = {},
  ): Promise<Pipeline> {
    const token = `token-${randomUUID()}`;
    const simulator = await startSimulator({
      dataset: { reports: 60, from: '2025-10-01', to: '2025-10-05', seed: 7 },
      ...options.simulator,
      port: 0,
      token,
    });
    const dir = mkdtempSync(join(tmpdir(), 'goaudits-test-'));
    const queue = `goaudits-${randomUUID()}`;
    const variables = {
      TEMPORAL_TASK_QUEUE: queue,
      GOAUDITS_API_TASK_QUEUE: `${queue}-api`,
      GOAUDITS_AUDITSUMMARY_URL: simulator.summaryUrl,
      GOAUDITS_AUDITDETAILS_URL: simulator.detailsUrl,
      GOAUDITS_RATE_LIMIT_PER_SECOND: '50',
      GOAUDITS_RETRY_INITIAL_MS: '50',
      GOAUDITS_RETRY_MAX_MS: '200',
      GOAUDITS_RETRY_ATTEMPTS: '3',
      SQLITE_PATH: join(dir, 'goaudits.db'),
      ...options.env,
    };
    const tokenEnv = { GOAUDITS_BEARER_TOKEN: token };
    const pipeline = new Pipeline(this, { env: readEnvironment(variables), variables, simulator, dir, tokenEnv, summaryLines: [] });
    if (options.inProcessWorker !== false) await pipeline.addWorker('goaudits-worker@test');
    return pipeline;
  }
}

/** A worker process, with what it wrote so far to stdout and to stderr. */
export type WorkerProcess = ChildProcess & { written: { stdout: string; stderr: string } };

/** The operator's client running as a process: its output so far, and its exit code once it has exited. */
export interface ClientRun {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  /** stdout and stderr, in the order they came (one stream on a pseudo-terminal). */
  output: string;
  exited: Promise<number | null>;
}

/** One worker process's share of a pipeline: its own store connection, GoAudits client, call lane and workers. */
interface WorkerGroup {
  /** A connection of its own: one connection may carry only one worker per task queue. */
  connection: NativeConnection;
  dependencies: Dependencies;
  workers: Worker[];
  running: Promise<void>;
}

export class Pipeline {
  private readonly groups: WorkerGroup[] = [];
  private readonly processes: ChildProcess[] = [];
  private reader?: Database.Database;

  /** The pipeline's configuration, as the workers read it. */
  readonly env: Environment;
  /** The environment variables `env` was read from, for worker and client processes. */
  private readonly variables: Record<string, string>;
  readonly simulator: Simulator;
  private readonly dir: string;
  /** The worker reads its token from here: tests rotate it like an operator would. */
  readonly tokenEnv: Record<string, string>;
  /** The one-line JSON run summaries the activities logged. */
  readonly summaryLines: string[];

  constructor(
    private readonly server: TestServer,
    parts: Pick<Pipeline, 'env' | 'simulator' | 'tokenEnv' | 'summaryLines'> & { variables: Record<string, string>; dir: string },
  ) {
    ({
      env: this.env,
      variables: this.variables,
      simulator: this.simulator,
      dir: this.dir,
      tokenEnv: this.tokenEnv,
      summaryLines: this.summaryLines,
    } = parts);
  }

  /** The dev server this pipeline runs on (a new one after the server's restart). */
  get temporal(): TestWorkflowEnvironment {
    return this.server.env;
  }

  private get bundle(): WorkflowBundleWithSourceMap {
    return this.server.bundle;
  }

  /** A read-only connection to the SQLite file, as an operator's query would have (opened once the worker made the file). */
  get db(): Database.Database {
    return (this.reader ??= new Database(this.env.SQLITE_PATH, { readonly: true }));
  }

  /**
   * Starts another worker on the same queues and SQLite file with nothing in memory shared with
   * the others (its own store connection, GoAudits client and call lane), as a second worker
   * process would.
   */
  async addWorker(identity: string): Promise<void> {
    const connection = await NativeConnection.connect({ address: this.temporal.address });
    const dependencies = await openDependencies(this.env, {
      temporal: this.temporal.client,
      processEnv: this.tokenEnv,
      writeLine: (line) => this.summaryLines.push(line),
    });
    const workers = await createWorkers({
      connection,
      env: this.env,
      identity,
      activities: dependencies.activities,
      workflows: { workflowBundle: this.bundle },
    });
    this.groups.push({ connection, dependencies, workers, running: runWorkers(workers) });
  }

  /**
   * Starts a worker as a process of its own (`worker/main.ts` through tsx, with this file's
   * workflow bundle) on the same queues, store and simulator, and resolves once it runs: a
   * worker a test can crash with `kill('SIGKILL')`. Its metrics are off (several such workers
   * share the machine) unless `env` gives it a METRICS_PORT; `env` goes on top of the rest.
   */
  async startWorkerProcess(identity: string, env: Record<string, string> = {}): Promise<WorkerProcess> {
    const bundlePath = join(this.dir, 'workflow-bundle.js');
    writeFileSync(bundlePath, this.bundle.code);
    const child = this.spawnScript('../worker/main.ts', [], {
      ...this.tokenEnv,
      WORKFLOW_BUNDLE_PATH: bundlePath,
      WORKER_IDENTITY: identity,
      HEALTH_PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'ERROR',
      ...env,
    });
    let output = '';
    const written = { stdout: '', stderr: '' };
    await new Promise<void>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`worker ${identity} exited (${code}) before it ran:\n${output}`));
      child.once('exit', exited);
      for (const stream of ['stdout', 'stderr'] as const) {
        child[stream]!.setEncoding('utf8').on('data', (text: string) => {
          written[stream] += text;
          output += text;
          if (!output.includes('"worker running"')) return;
          child.off('exit', exited);
          resolve();
        });
      }
    });
    return Object.assign(child, { written });
  }

  /**
   * Runs the operator's client (`client/main.ts` through tsx) against this pipeline, as an
   * operator would: its stdout and stderr are collected in the order they come. `tty`: in a
   * pseudo-terminal (util-linux `script`, whose `-e` gives the client's exit code), as in a terminal.
   * Off a terminal the client writes JSON records by default; the tests read its readable lines
   * (LOG_FORMAT=pretty) unless `env` says otherwise.
   */
  runClient(args: string[], options: { tty?: boolean; env?: Record<string, string> } = {}): ClientRun {
    const child = this.spawnScript('../client/main.ts', args, { LOG_FORMAT: 'pretty', ...options.env }, options);
    const run: ClientRun = { child, stdout: '', stderr: '', output: '', exited: new Promise((resolve) => child.once('exit', resolve)) };
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]!.setEncoding('utf8').on('data', (text: string) => {
        run[stream] += text;
        run.output += text;
      });
    }
    return run;
  }

  /**
   * A script of this repository through tsx as a process of its own (stopped with the pipeline),
   * with this pipeline's variables and Temporal's address, and `env` on top; `tty`: in a pseudo-terminal.
   */
  private spawnScript(script: string, args: string[], env: Record<string, string>, options: { tty?: boolean } = {}): ChildProcess {
    const command = [process.execPath, '--import', 'tsx', join(__dirname, script), ...args];
    const quoted = command.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
    const [file, ...argv] = options.tty ? ['script', '-qefc', quoted, '/dev/null'] : command;
    const child = spawn(file, argv, {
      env: { ...process.env, ...this.variables, TEMPORAL_ADDRESS: this.temporal.address, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.processes.push(child);
    return child;
  }

  /** The first worker's store and activities. */
  get dependencies(): Dependencies {
    return this.groups[0].dependencies;
  }

  get client() {
    return this.temporal.client;
  }

  /**
   * Runs a workflow (named by its function, so a rename fails to compile) on this pipeline's task
   * queue to its end and returns its result; `input` may be anything, bad input included.
   */
  async execute<T>(workflow: Workflow, input: unknown = {}, workflowId = `${workflow.name}-${randomUUID()}`): Promise<T> {
    return this.client.workflow.execute(workflow.name, { taskQueue: this.env.TEMPORAL_TASK_QUEUE, workflowId, args: [input] });
  }

  /** Starts a workflow (named by its function) on this pipeline's task queue and returns its handle. */
  start(workflow: Workflow, input: unknown = {}, workflowId = `${workflow.name}-${randomUUID()}`) {
    return this.client.workflow.start(workflow.name, { taskQueue: this.env.TEMPORAL_TASK_QUEUE, workflowId, args: [input] });
  }

  rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[] {
    return this.db.prepare(sql).all(...params) as T[];
  }

  count(table: string): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  async stop(): Promise<void> {
    for (const child of this.processes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const { workers } of this.groups) for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.all(this.groups.map(({ running }) => running));
    this.reader?.close();
    for (const { dependencies, connection } of this.groups) {
      await dependencies.close();
      await connection.close();
    }
    await this.simulator.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function devServer({ uiPort, port, dbFilename }: DevServerOptions): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: { executable: temporalCli(), ip: '127.0.0.1', searchAttributes: PIPELINE_SEARCH_ATTRIBUTES, uiPort, port, dbFilename },
  });
}

const quietBundler = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/**
 * Registers one dev server for the test file and stops each test's pipeline after it:
 * `const pipeline = await fixture.pipeline({...})` inside a test.
 */
export function usePipelines(options: DevServerOptions = {}) {
  let server: TestServer | undefined;
  let current: Pipeline | undefined;
  beforeAll(async () => {
    server = await TestServer.start(options);
  });
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get server(): TestServer {
      if (!server) throw new Error('the dev server is not started yet');
      return server;
    },
    async pipeline(pipelineOptions?: Parameters<TestServer['pipeline']>[0]): Promise<Pipeline> {
      current = await this.server.pipeline(pipelineOptions);
      return current;
    },
  };
}
