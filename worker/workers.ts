import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../activities';
import type { Environment } from './config';
import { currentTracing } from './tracing';
import { WORKFLOW_INTERCEPTOR_MODULES, tracingWorkerOptions } from './workflow-tracing';

/** Either a path the worker bundles at start, or a bundle made once (tests, the container image). */
export type WorkflowSource = Pick<WorkerOptions, 'workflowsPath' | 'workflowBundle'>;

/** The image's pre-built bundle (WORKFLOW_BUNDLE_PATH, set in the Dockerfile), else the workflows bundled at start. */
export const defaultWorkflowSource = (bundlePath?: string): WorkflowSource =>
  bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: require.resolve('../workflows') };

/**
 * The two workers of one process: the pipeline queue runs workflows and store activities;
 * the API queue runs the GoAudits calls. Their exact limit is the shared call lane inside the
 * activities (activities/goaudits/call-lane.ts); the task queue's own rate limit only keeps
 * the server from handing out far more calls than the lane can start.
 */
export async function createWorkers(args: {
  connection: NativeConnection;
  env: Pick<Environment, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE' | 'GOAUDITS_API_TASK_QUEUE' | 'GOAUDITS_RATE_LIMIT_PER_SECOND'>;
  /** The worker's identity in Temporal: workerIdentity(). */
  identity: string;
  activities: Activities;
  workflows: WorkflowSource;
}): Promise<Worker[]> {
  const { connection, env, identity, activities } = args;
  const { interceptors, sinks } = tracingWorkerOptions(currentTracing());
  // On SIGTERM running activities get 30 s to finish (Container Apps waits terminationGracePeriodSeconds).
  const common = { connection, namespace: env.TEMPORAL_NAMESPACE, identity, activities, interceptors, shutdownGraceTime: '30s' as const };
  // A bundle made at start gets the tracing workflow interceptors a pre-built bundle already holds.
  const workflowModules = args.workflows.workflowsPath ? { workflowModules: [...WORKFLOW_INTERCEPTOR_MODULES] } : {};
  return Promise.all([
    Worker.create({
      ...common,
      ...args.workflows,
      interceptors: { ...interceptors, ...workflowModules },
      sinks,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
    }),
    Worker.create({
      ...common,
      taskQueue: env.GOAUDITS_API_TASK_QUEUE,
      // Coarse back-pressure only: the server's buckets are split over partitions and burst to
      // about twice their rate, so this is set above the limit to never hold the lane back.
      maxTaskQueueActivitiesPerSecond: 2 * env.GOAUDITS_RATE_LIMIT_PER_SECOND,
      // Heartbeats reach the server within a second, so a cancelled run's batches stop within one.
      maxHeartbeatThrottleInterval: '1 second',
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
