/** Which failure, if any, an admitted call gets, and how it is answered. */
import type { ApiCall } from './api';
import type { FaultKind } from './counters';
import { jsonReply, type Reply } from './http';
import type { FaultOptions } from './options';
import type { Random } from './random';

export type Fault = { kind: 'status'; status: number } | { kind: 'hang' } | { kind: 'malformed' };

const FAILURE_STATUSES = [500, 502, 503] as const;

/** One draw per call, so the sequence of faults depends only on the seed and the call order. */
export function drawFault(options: FaultOptions, random: Random): Fault | undefined {
  const draw = random.next();
  if (draw < options.fault5xxRate) return { kind: 'status', status: random.pick(FAILURE_STATUSES) };
  if (draw < options.fault5xxRate + options.timeoutRate) return { kind: 'hang' };
  if (draw < options.fault5xxRate + options.timeoutRate + options.malformedRate) return { kind: 'malformed' };
  return undefined;
}

/** How the counters name a fault's kind. */
export function faultKindOf(fault: Fault): FaultKind {
  return fault.kind === 'status' ? 'serverError' : fault.kind;
}

/** Failures aimed at a call: a listed failing audit (500), a summary range longer than allowed (hang). */
export function targetedFault(call: ApiCall, options: FaultOptions): Fault | undefined {
  if (call.endpoint === 'details' && options.failingDetails.includes(call.auditId)) return { kind: 'status', status: 500 };
  if (call.endpoint === 'summary' && options.summaryMaxDays != null && call.days > options.summaryMaxDays) return { kind: 'hang' };
  if (call.endpoint === 'summary' && options.failingSummaryDays.some((day) => call.query.startDate <= day && day <= call.query.endDate)) {
    return { kind: 'status', status: 500 };
  }
  return undefined;
}

/** The answer a fault sends; a hang is answered 504 once the caller has waited `hangMs`. */
export function faultReply(fault: Fault): Reply & { hang?: boolean } {
  switch (fault.kind) {
    case 'status':
      return jsonReply(fault.status, { error: 'injected failure' });
    case 'hang':
      return { ...jsonReply(504, { error: 'Gateway Timeout' }), hang: true };
    case 'malformed':
      return { ...jsonReply(200, null), body: '[{"ID": "A0' };
  }
}
