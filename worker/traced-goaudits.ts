import { trace, type Tracer } from '@opentelemetry/api';
import type { GoAuditsClient } from '../activities/goaudits/client';
import { inSpan } from './in-span';

/**
 * The GoAudits client with a span per HTTP call (`GoAudits summary`, `GoAudits details`), from
 * the call's start to its answer (the wait in the call lane is outside it): the endpoint, and the
 * window or the report id as attributes; never the token, the URL's query or the answer.
 */
export function tracedGoAudits(client: GoAuditsClient, tracer: Tracer = trace.getTracer('goaudits-pipeline')): GoAuditsClient {
  return {
    summary: (window, options) =>
      inSpan(
        tracer,
        'GoAudits summary',
        { 'goaudits.endpoint': 'summary', 'goaudits.window.start': window.startDate, 'goaudits.window.end': window.endDate },
        () => client.summary(window, options),
      ),
    details: (reportId, options) =>
      inSpan(tracer, 'GoAudits details', { 'goaudits.endpoint': 'details', 'goaudits.report_id': reportId }, () =>
        client.details(reportId, options),
      ),
    close: () => client.close(),
  };
}
