import { GoAuditsError, type GoAuditsEndpoint } from './errors';

/** Both GoAudits endpoints answer a bare JSON array; anything else is a bad response. */
export function expectArray(endpoint: GoAuditsEndpoint, body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  throw new GoAuditsError({
    kind: 'bad-response',
    endpoint,
    message: `expected a JSON array of rows, got ${jsonTypeOf(body)}`,
  });
}

/** The JSON type of a value, for messages: "null", "array", "object", "string", "number", "boolean", "undefined". */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}
