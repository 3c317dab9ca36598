import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { usePipelines } from './harness';

/**
 * Traces, as an OTLP receiver (Application Insights, a collector) gets them: the client starts an
 * ingestion and a worker process runs it, both exporting OTLP/HTTP JSON to a receiver in this
 * test. The run is one trace, from the client's start through the workflow, its windows and
 * batches, to each GoAudits call and store transaction, with no secret in any attribute.
 */

jest.setTimeout(240_000);

const fixture = usePipelines();

interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  attributes: Record<string, unknown>;
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpRequest {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: { spans: (Omit<ReceivedSpan, 'attributes' | 'service'> & { attributes: OtlpAttribute[] })[] }[];
  }[];
}

const attributesOf = (list: OtlpAttribute[]) => Object.fromEntries(list.map(({ key, value }) => [key, Object.values(value)[0]]));

/** An OTLP/HTTP receiver of JSON traces on a free port: every span it was sent, with its service's name. */
async function otlpReceiver(): Promise<{ server: Server; endpoint: string; spans: ReceivedSpan[]; bodies: string[] }> {
  const spans: ReceivedSpan[] = [];
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      bodies.push(body);
      for (const { resource, scopeSpans } of (JSON.parse(body) as OtlpRequest).resourceSpans) {
        const service = String(attributesOf(resource.attributes)['service.name']);
        for (const span of scopeSpans.flatMap((scope) => scope.spans)) {
          spans.push({ ...span, service, attributes: attributesOf(span.attributes) });
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, bodies };
}

test('one trace per run: the client start, the workflow, its windows and batches, every GoAudits call and store transaction', async () => {
  const receiver = await otlpReceiver();
  try {
    const pipeline = await fixture.pipeline({
      env: {
        GOAUDITS_START_DATE: '2025-10-01',
        GOAUDITS_END_DATE: '2025-10-05',
        GOAUDITS_ENRICH_BATCH_SIZE: '20',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      },
      inProcessWorker: false,
    });
    const worker = await pipeline.startWorkerProcess('worker-traced');
    const client = pipeline.runClient(['ingest']);
    expect(await client.exited).toBe(0);
    // Its last spans go out as the worker stops.
    worker.kill('SIGTERM');
    await once(worker, 'exit');

    const started = receiver.spans.find((span) => span.name === 'StartWorkflow:ingestionWorkflow');
    expect(started).toMatchObject({ service: 'goaudits-client' });
    const run = receiver.spans.filter((span) => span.traceId === started!.traceId);
    const named = (name: string) => run.filter((span) => span.name === name);
    const workflowId = named('RunWorkflow:ingestionWorkflow')[0]?.attributes.workflowId;
    expect(workflowId).toEqual(expect.stringMatching(/^goaudits-ingestion-manual-/));
    // Every span the worker made for the run's workflow, its activities included, is in this one trace
    // (the client's progress queries are traces of their own).
    const ofWorkflow = receiver.spans.filter(
      (span) =>
        span.service === 'goaudits-worker' &&
        (span.attributes.workflowId === workflowId || span.attributes.temporalWorkflowId === workflowId),
    );
    expect(ofWorkflow.length).toBeGreaterThan(20);
    expect(new Set(ofWorkflow.map((span) => span.traceId))).toEqual(new Set([started!.traceId]));

    // Its windows: one activity and one summary call a day, each call naming its window.
    const reports = pipeline.simulator.truth().reports;
    expect(named('RunActivity:ingestWindow')).toHaveLength(5);
    expect(
      named('GoAudits summary')
        .map((span) => span.attributes['goaudits.window.start'])
        .sort(),
    ).toEqual(['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-04', '2025-10-05']);
    expect(named('store saveSummaryWindow')).toHaveLength(5);
    // Its batches, and in them a details call per report, each naming its report.
    expect(named('RunActivity:enrichBatch').length).toBeGreaterThanOrEqual(Math.ceil(reports.length / 20));
    expect(new Set(named('GoAudits details').map((span) => span.attributes['goaudits.report_id']))).toEqual(
      new Set(reports.map((report) => report.id)),
    );
    expect(named('store saveReportDetails').length).toBeGreaterThan(0);
    // Each GoAudits call and store transaction sits inside the activity that made it.
    const byId = new Map(run.map((span) => [span.spanId, span]));
    for (const span of run.filter((s) => s.name.startsWith('GoAudits ') || s.name.startsWith('store '))) {
      expect(byId.get(span.parentSpanId ?? '')?.name).toMatch(/^RunActivity:/);
    }

    const token = pipeline.tokenEnv.GOAUDITS_BEARER_TOKEN;
    for (const body of receiver.bodies) {
      expect(body).not.toContain(token);
      expect(body).not.toMatch(/taskToken|authorization|password/i);
    }
  } finally {
    receiver.server.close();
  }
});
