import { Resource } from '@opentelemetry/resources';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import type { Tracing } from './tracing';

/**
 * Temporal's OpenTelemetry interceptors on a worker. The workflow interceptors are in every
 * workflow bundle, traced or not (the image's bundle is made before anyone sets a variable): they
 * open the workflow's span and pass its context to each activity, child and continue-as-new in
 * the headers, and add no command, so saved histories replay unchanged. Their spans leave the
 * workflow through the `exporter` sink: to this process's tracing, or nowhere when it is off.
 */
export const WORKFLOW_INTERCEPTOR_MODULES: readonly string[] = [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
];

/** The options that make a workflow bundle of `workflowsPath` (tests, the image's script, the worker bundling at start). */
export const workflowBundleOptions = (workflowsPath: string) => ({
  workflowsPath,
  workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
});

/** A worker's interceptors and sinks: activity spans (children of the workflow's) only when tracing is on; the workflows' sink always. */
export function tracingWorkerOptions(tracing: Tracing | undefined): Required<Pick<WorkerOptions, 'interceptors' | 'sinks'>> {
  return {
    interceptors: {
      activity: tracing
        ? [
            (ctx) => ({
              inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
              outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
            }),
          ]
        : [],
    },
    sinks: { exporter: makeWorkflowExporter(tracing?.spanProcessor ?? new NoopSpanProcessor(), tracing?.resource ?? Resource.empty()) },
  };
}
