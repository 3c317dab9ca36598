/** The two GoAudits endpoints: reading a call's body and answering it from the data set. */
import { z } from 'zod';
import type { Dataset, SummaryQuery } from './dataset';
import type { ApiRow } from './rows';
import { DAY_MS, daySchema, parseDay } from './time';
import { parseOrThrow, ValidationError } from './validate';

export const SUMMARY_PATH = '/v1/audits/getauditsummary';
export const DETAILS_PATH = '/v1/audits/getauditdetailsbyid';

export type Endpoint = 'summary' | 'details';

export type ApiCall =
  | { endpoint: 'summary'; query: SummaryQuery; days: number }
  /** `complete` is false for a minimal body (no `jsonflag: true` or no dates): the API answers `[]`. */
  | { endpoint: 'details'; auditId: string; complete: boolean };

const summaryBodySchema = z
  .looseObject({ start_date: daySchema, end_date: daySchema, status: z.string() })
  .refine((body) => body.start_date <= body.end_date, { message: 'must not be before start_date', path: ['end_date'] });

const detailsBodySchema = z.looseObject({ audit_id: z.string() });

export function endpointOf(method: string | undefined, path: string): Endpoint | undefined {
  if (method !== 'POST') return undefined;
  if (path === SUMMARY_PATH) return 'summary';
  if (path === DETAILS_PATH) return 'details';
  return undefined;
}

/** Throws a ValidationError (answered 400) for a body that is not JSON or lacks what the endpoint needs. */
export function parseApiCall(endpoint: Endpoint, bodyText: string): ApiCall {
  const json = parseJson(bodyText);
  if (endpoint === 'details') {
    const body = parseOrThrow(detailsBodySchema, json, 'details request');
    const complete = body.jsonflag === true && typeof body.start_date === 'string' && typeof body.end_date === 'string';
    return { endpoint, auditId: body.audit_id, complete };
  }
  const body = parseOrThrow(summaryBodySchema, json, 'summary request');
  const days = ((parseDay(body.end_date) as number) - (parseDay(body.start_date) as number)) / DAY_MS + 1;
  return { endpoint, query: { startDate: body.start_date, endDate: body.end_date, status: body.status }, days };
}

export function answerCall(dataset: Dataset, call: ApiCall): ApiRow[] {
  if (call.endpoint === 'summary') return dataset.summaryRows(call.query);
  return call.complete ? dataset.detailsRows(call.auditId) : [];
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError('Invalid request body: not JSON');
  }
}
