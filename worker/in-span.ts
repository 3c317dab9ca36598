import { SpanKind, SpanStatusCode, type Attributes, type Tracer } from '@opentelemetry/api';
import { errorFields } from './log-fields';

/**
 * Runs `work` in a span of its own, a child of the span active where it is called (an
 * activity's); a failure marks the span failed with the error's type and message (the
 * pipeline's error messages hold no token, body or connection string).
 */
export function inSpan<T>(tracer: Tracer, name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      const { errorType, error: message, statusCode } = errorFields(error);
      if (typeof errorType === 'string') span.setAttribute('error.type', errorType);
      if (typeof statusCode === 'number') span.setAttribute('http.response.status_code', statusCode);
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(message) });
      throw error;
    } finally {
      span.end();
    }
  });
}
