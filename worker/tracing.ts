import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { Resource, envDetectorSync } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ConfigError } from './config-error';
import { buildId } from './temporal-connection';

/**
 * Traces, opt-in, the standard OpenTelemetry way: with OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) set, this process exports its spans over OTLP, the protocol
 * named by OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL (`http/protobuf` by default, `http/json`, `grpc`).
 * The exporter reads the other standard variables itself (headers, timeout, compression), the
 * batch processor OTEL_BSP_*, the resource OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
 * OTEL_SDK_DISABLED=true turns it off.
 */

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

type Env = Readonly<Record<string, string | undefined>>;

/** A variable's value, blank counting as unset. */
const valueOf = (env: Env, name: string) => env[name]?.trim() || undefined;

/** The protocol traces go out with, or undefined when tracing is off; a bad value is a ConfigError naming its variable. */
export function tracingProtocol(env: Env = process.env): OtlpProtocol | undefined {
  if (valueOf(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return undefined;
  const endpointVariable = valueOf(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
    ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
    : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const endpoint = valueOf(env, endpointVariable);
  if (endpoint === undefined) return undefined;
  if (!/^https?:\/\//i.test(endpoint) || !URL.canParse(endpoint))
    throw new ConfigError(`bad configuration: ${endpointVariable} ${endpoint}: expected a URL such as http://localhost:4318`);
  const protocolVariable = valueOf(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = valueOf(env, protocolVariable) ?? 'http/protobuf';
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw new ConfigError(`bad configuration: ${protocolVariable} ${protocol}: expected one of ${OTLP_PROTOCOLS.join(', ')}`);
  }
  return protocol as OtlpProtocol;
}

/** This process's tracing: where its spans go (the workflows' spans too, through the SDK's sink). */
export interface Tracing {
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** Sends the spans still buffered, then stops; a receiver that cannot be reached costs a warning, never the process's outcome. */
  shutdown(): Promise<void>;
}

let started: Tracing | undefined;

/** This process's tracing once started, else undefined (tracing off). */
export const currentTracing = (): Tracing | undefined => started;

/**
 * Starts tracing for this process when the environment asks for it (see above): the global
 * tracer provider, W3C trace context propagation and an async context, so that a span started in
 * an activity is a child of the activity's span. `service`: the default service name. The
 * exporter reads its endpoint and headers from the process's environment, as OpenTelemetry's do.
 */
export async function startTracing(service: string): Promise<Tracing | undefined> {
  const protocol = tracingProtocol(process.env);
  if (protocol === undefined || started) return started;
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': service, 'service.version': buildId() }))
    .merge(envDetectorSync.detect());
  const spanProcessor = new BatchSpanProcessor(await otlpExporter(protocol));
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  provider.register();
  started = {
    spanProcessor,
    resource,
    async shutdown() {
      await provider.shutdown().catch((error: unknown) => console.warn(`traces not exported: ${String(error)}`));
      trace.disable();
      context.disable();
      started = undefined;
    },
  };
  return started;
}

/** The OTLP exporter of the protocol, loaded only then. */
async function otlpExporter(protocol: OtlpProtocol): Promise<SpanExporter> {
  switch (protocol) {
    case 'grpc':
      return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter();
    case 'http/json':
      return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter();
    case 'http/protobuf':
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
  }
}
