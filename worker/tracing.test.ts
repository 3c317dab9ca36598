import { tracingProtocol } from './tracing';

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
