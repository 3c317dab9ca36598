import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Simulator } from '../simulator/server';

/**
 * The environment of a bench's worker processes: a dev server's address, queues of their own,
 * the simulator and its token, the limit, one SQLite file and the prebuilt workflow bundle; no
 * health or metrics ports (several workers share the machine), errors only in the log.
 */
export function benchWorkerEnv(args: {
  root: string;
  temporalAddress: string;
  queue: string;
  simulator: Pick<Simulator, 'summaryUrl' | 'detailsUrl'>;
  token: string;
  limitPerSecond: number;
  sqlitePath: string;
}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    TEMPORAL_ADDRESS: args.temporalAddress,
    TEMPORAL_TASK_QUEUE: args.queue,
    GOAUDITS_API_TASK_QUEUE: `${args.queue}-api`,
    GOAUDITS_AUDITSUMMARY_URL: args.simulator.summaryUrl,
    GOAUDITS_AUDITDETAILS_URL: args.simulator.detailsUrl,
    GOAUDITS_BEARER_TOKEN: args.token,
    GOAUDITS_RATE_LIMIT_PER_SECOND: String(args.limitPerSecond),
    SQLITE_PATH: args.sqlitePath,
    WORKFLOW_BUNDLE_PATH: join(args.root, 'dist/workflow-bundle.js'),
    HEALTH_PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'ERROR',
  };
}

/** A worker process from dist/, resolved once it runs. */
export function benchWorker(root: string, env: NodeJS.ProcessEnv, identity: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(root, 'dist/worker/main.js')], {
    env: { ...env, WORKER_IDENTITY: identity },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((running, failed) => {
    child.once('exit', (code) => failed(new Error(`${identity} exited with ${code} before it ran`)));
    child.stdout.on('data', (chunk: Buffer) => void (chunk.toString().includes('"worker running"') && running(child)));
  });
}
