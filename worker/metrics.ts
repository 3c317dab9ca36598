import { Runtime, makeTelemetryFilterString, type TelemetryOptions } from '@temporalio/worker';
import { HISTOGRAM_BUCKETS } from '../activities/pipeline-metrics';
import { ConfigError, type Environment } from './config';
import { withoutExpectedWarnings } from './expected-warnings';
import { sdkLogger, type ProcessLog } from './process-log';

type MetricsSettings = Pick<Environment, 'METRICS_PORT'>;

/** Where an operator on this machine reads the worker's metrics; undefined when METRICS_PORT is 0. */
export function metricsUrl({ METRICS_PORT: port }: MetricsSettings): string | undefined {
  return port === 0 ? undefined : `http://localhost:${port}/metrics`;
}

/**
 * The SDK runtime's Prometheus exporter on METRICS_PORT, every interface (a container's port is
 * reached from outside it): the SDK's `temporal_*` metrics with its defaults (histograms in
 * milliseconds, counters without `_total`, as Temporal's published dashboards expect) and the
 * pipeline's `goaudits_*`, whose histograms are in seconds.
 */
export function metricsTelemetry({ METRICS_PORT: port }: MetricsSettings): TelemetryOptions | undefined {
  if (port === 0) return undefined;
  return { metrics: { prometheus: { bindAddress: `0.0.0.0:${port}`, histogramBucketOverrides: HISTOGRAM_BUCKETS } } };
}

/** The signals that stop the workers in order: the SDK's, and SIGHUP (the terminal of `npm start` closed). */
export const SHUTDOWN_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGUSR2', 'SIGHUP'];

/**
 * Installs the SDK runtime, once per process: its messages, Core's included, as lines of the
 * process's log at LOG_LEVEL (without the warnings this setup causes on purpose) and the metrics
 * exporter; a taken port stops the worker, naming METRICS_PORT.
 */
export function installRuntime(env: Pick<Environment, 'LOG_LEVEL' | 'METRICS_PORT'>, log: ProcessLog): void {
  try {
    Runtime.install({
      logger: withoutExpectedWarnings(sdkLogger(log.logger)),
      shutdownSignals: SHUTDOWN_SIGNALS,
      telemetryOptions: {
        ...metricsTelemetry(env),
        // Forwarded, not printed by Core itself: Core's own lines are neither JSON nor one line each.
        logging: { forward: {}, filter: makeTelemetryFilterString({ core: env.LOG_LEVEL, other: env.LOG_LEVEL }) },
      },
    });
  } catch (error) {
    if (env.METRICS_PORT === 0 || !/prometheus/i.test(String(error))) throw error;
    throw new ConfigError(
      `bad configuration: METRICS_PORT ${env.METRICS_PORT}: ${(error as Error).message} (set a free port, or 0 to turn the metrics off)`,
    );
  }
}
