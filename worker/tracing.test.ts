import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import { startTracing, tracingProtocol } from './tracing';

test('tracing is off unless an OTLP endpoint is set, and off again with OTEL_SDK_DISABLED', () => {
  expect(tracingProtocol({})).toBeUndefined();
  expect(tracingProtocol({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBeUndefined();
  expect(tracingProtocol({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
});

test("the standard protocol variables: http/protobuf by default, the traces' own variables first", () => {
  expect(tracingProtocol({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' })).toBe('http/protobuf');
  expect(tracingProtocol({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://localhost:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toBe(
    'grpc',
  );
  expect(
    tracingProtocol({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    }),
  ).toBe('http/json');
});

test('a bad endpoint or protocol is refused, naming the variable', () => {
  expect(() => tracingProtocol({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(
    'bad configuration: OTEL_EXPORTER_OTLP_ENDPOINT collector:4318: expected a URL',
  );
  expect(() =>
    tracingProtocol({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'zipkin' }),
  ).toThrow('bad configuration: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL zipkin: expected one of http/protobuf, http/json, grpc');
});

/** Starts tracing with these variables, ends one span and stops tracing, which sends it. */
async function exportOneSpan(name: string, variables: Record<string, string>): Promise<void> {
  const saved = { ...process.env };
  Object.assign(process.env, variables);
  try {
    const tracing = await startTracing('goaudits-test');
    trace.getTracer('test').startSpan(name).end();
    await tracing?.shutdown();
  } finally {
    process.env = saved;
  }
}

test('by default, spans go out as OTLP protobuf over HTTP to the endpoint, named by the service', async () => {
  const received: { url?: string; type?: string; body: Buffer }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ url: request.url, type: request.headers['content-type'], body: Buffer.concat(chunks) });
      response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await exportOneSpan('GoAudits summary', { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  } finally {
    server.close();
  }
  expect(received).toEqual([{ url: '/v1/traces', type: 'application/x-protobuf', body: expect.any(Buffer) }]);
  expect(received[0].body.toString('latin1')).toEqual(expect.stringContaining('GoAudits summary'));
  expect(received[0].body.toString('latin1')).toEqual(expect.stringContaining('goaudits-test'));
});

test('with OTEL_EXPORTER_OTLP_PROTOCOL=grpc, spans go to the endpoint as an OTLP/gRPC export call', async () => {
  const received: Buffer[] = [];
  const identity = (bytes: Buffer) => bytes;
  const server = new Server();
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    {
      Export: (call: { request: Buffer }, respond: (error: null, response: Buffer) => void) => {
        received.push(call.request);
        respond(null, Buffer.alloc(0));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  try {
    await exportOneSpan('GoAudits details', {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
  } finally {
    server.forceShutdown();
  }
  expect(received).toHaveLength(1);
  expect(received[0].toString('latin1')).toEqual(expect.stringContaining('GoAudits details'));
});
