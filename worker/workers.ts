import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import type { Environment } from './config';
import { sustainedRate } from '../workflows/estimate';

/** Either a path the worker bundles at start, or a bundle made once (tests, the container image). */
export type WorkflowSource = Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'>;

/** The image's pre-built bundle (WORKFLOW_BUNDLE_PATH, set in the Dockerfile), else the workflows bundled at start. */
export const defaultWorkflowSource = (bundlePath?: string): WorkflowSource =>
  bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: require.resolve('../workflows') };

/**
 * The two workers of one process: the pipeline queue runs workflows and store activities;
 * the API queue runs the GoAudits calls under a task-queue-wide rate limit, which the
 * Temporal server enforces across every worker polling that queue.
 */
export async function createWorkers(args: {
  connection: NativeConnection;
  env: Pick<
    Environment,
    'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE' | 'GOAUDITS_API_TASK_QUEUE' | 'GOAUDITS_RATE_LIMIT_PER_SECOND'
  >;
  /** The worker's identity in Temporal: workerIdentity(). */
  identity: string;
  activities: Activities;
  workflows: WorkflowSource;
}): Promise<Worker[]> {
  const { connection, env, identity, activities } = args;
  // On SIGTERM running activities get 30 s to finish (Container Apps waits terminationGracePeriodSeconds).
  const common = { connection, namespace: env.TEMPORAL_NAMESPACE, identity, activities, shutdownGraceTime: '30s' as const };
  return Promise.all([
    Worker.create({ ...common, ...args.workflows, taskQueue: env.TEMPORAL_TASK_QUEUE }),
    Worker.create({
      ...common,
      taskQueue: env.GOAUDITS_API_TASK_QUEUE,
      // The server's task-queue rate limiter is a token bucket whose burst equals its rate, so in
      // one second it can dispatch a full bucket plus a second's refill: twice the rate. Asking
      // for half the limit keeps every sliding second at or under the limit GoAudits sets.
      maxTaskQueueActivitiesPerSecond: sustainedRate(env.GOAUDITS_RATE_LIMIT_PER_SECOND),
    }),
  ]);
}

/** Runs the workers until one stops; shutting one down shuts down the others. */
export async function runWorkers(workers: Worker[]): Promise<void> {
  const runs = workers.map((worker) => worker.run());
  try {
    await Promise.race(runs);
  } finally {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.allSettled(runs);
  }
}
