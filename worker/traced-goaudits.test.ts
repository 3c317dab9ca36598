import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { GoAuditsClient } from '../activities/goaudits/client';
import { errorForStatus } from '../activities/goaudits/errors';
import { tracedGoAudits } from './traced-goaudits';

test('a span per GoAudits call, naming its window or report; a failed call carries its kind and status, never the token', async () => {
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('test');
  const client: GoAuditsClient = {
    summary: async () => [{ ID: 'A1' }],
    details: async () => {
      throw errorForStatus('details', 503, {}, 'fingerprint-of-token');
    },
    close: async () => undefined,
  };
  const traced = tracedGoAudits(client, tracer);

  await expect(traced.summary({ startDate: '2025-10-01', endDate: '2025-10-02' })).resolves.toEqual([{ ID: 'A1' }]);
  await expect(traced.details('A1', { refusedToken: 'fingerprint-of-token' })).rejects.toThrow('HTTP 503');

  const [summary, details] = exporter.getFinishedSpans();
  expect({ name: summary.name, attributes: summary.attributes, status: summary.status.code }).toEqual({
    name: 'GoAudits summary',
    attributes: { 'goaudits.endpoint': 'summary', 'goaudits.window.start': '2025-10-01', 'goaudits.window.end': '2025-10-02' },
    status: SpanStatusCode.UNSET,
  });
  expect({ name: details.name, attributes: details.attributes, status: details.status }).toEqual({
    name: 'GoAudits details',
    attributes: {
      'goaudits.endpoint': 'details',
      'goaudits.report_id': 'A1',
      'error.type': 'GoAudits-transient',
      'http.response.status_code': 503,
    },
    status: { code: SpanStatusCode.ERROR, message: 'GoAudits details: HTTP 503 (transient)' },
  });
  expect(JSON.stringify(exporter.getFinishedSpans().map((span) => [span.attributes, span.status, span.events]))).not.toContain(
    'fingerprint',
  );
});
