/**
 * The GoAudits simulator: a real HTTP server answering the two documented endpoints from a
 * generated data set, with bearer auth, a sliding-window rate limit, latency, injected faults,
 * token revocation and counters of everything it saw.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { setMaxListeners } from 'node:events';
import { answerCall, DETAILS_PATH, endpointOf, parseApiCall, SUMMARY_PATH, type Endpoint } from './api';
import { createCallWindow } from './call-window';
import { CONTROL_PREFIX, controlReply } from './control';
import { emptyCounters } from './counters';
import { generateDataset } from './dataset';
import { drawFault, faultKindOf, faultReply, targetedFault } from './faults';
import { jsonReply, readBody, send, type Reply } from './http';
import { drawLatencyMs } from './latency';
import { faultOptionsSchema, simulatorOptionsSchema, type FaultOptions, type SimulatorOptions } from './options';
import { createRandom } from './random';
import { createTokenGuard } from './token-guard';
import { parseOrThrow, ValidationError } from './validate';
import type { Simulator } from './simulator';

export type { SimulatorOptions, FaultPatch } from './options';
export type { Simulator } from './simulator';
export type { Counters } from './counters';
export type { DeleteRequest, EditRequest, ReopenRequest, SilentEditRequest, Truth, TruthReport } from './dataset';
export { simulatorOptionsFromEnvironment } from './environment';

type ApiReply = Reply & { hang?: boolean };

/** What a 429 tells the caller to wait (`Retry-After: 1`). */
const RETRY_AFTER_MS = 1000;
/** How long after a 429 requests already on their way may still arrive. */
export const RETRY_AFTER_GRACE_MS = 250;

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const { port, host, token, dataset: spec, ...initialFaults } = parseOrThrow(simulatorOptionsSchema, options, 'simulator options');
  const dataset = generateDataset(spec);
  const random = createRandom(spec.seed ^ 0x5eed);
  const guard = createTokenGuard(token, initialFaults.revokeTokenAfterCalls);
  const window = createCallWindow();
  const stopping = new AbortController();
  // Every request under way waits on it (its latency, a hang): one listener each, removed when it ends.
  setMaxListeners(0, stopping.signal);
  let faults: FaultOptions = initialFaults;
  let counters = emptyCounters();
  const inFlight = { summary: 0, details: 0 };
  /** Admitted details calls not answered yet, by audit id. */
  const detailsInFlight = new Map<string, number>();
  const inFlightNow = () => inFlight.summary + inFlight.details;
  /** When the 429 whose Retry-After runs (or ran last) was sent. */
  let lastRateLimitAt = Number.NEGATIVE_INFINITY;
  /** When the quota's wait ends, and when its first 429 was sent. */
  let quotaEndsAt = initialFaults.quotaSeconds ? Date.now() + initialFaults.quotaSeconds * 1000 : Number.NEGATIVE_INFINITY;
  let quotaFirstRefusedAt: number | undefined;

  /**
   * Auth, then the rate limit, then the body, then faults; only then the real answer. `now`: when
   * the request arrived, as a real limiter counts it (its body may be read a little later). An
   * admitted details call's audit id goes in `admitted`, for handleApi to count it answered.
   */
  async function decide(endpoint: Endpoint, req: IncomingMessage, now: number, admitted: { auditId?: string }): Promise<ApiReply> {
    const bodyText = await readBody(req);
    const access = guard.check(req.headers.authorization);
    if (access !== 'ok') {
      counters.authFailures += 1;
      return access === 'revoked' ? jsonReply(faults.revokedStatus, { error: 'token revoked' }) : jsonReply(401, { error: 'Unauthorized' });
    }
    if (now < quotaEndsAt) {
      counters.rateLimited += 1;
      counters.quotaRefused += 1;
      quotaFirstRefusedAt ??= now;
      if (now - quotaFirstRefusedAt > RETRY_AFTER_GRACE_MS) counters.callsDuringQuota += 1;
      return jsonReply(429, { error: 'Daily quota exceeded' }, { 'retry-after': String(Math.ceil((quotaEndsAt - now) / 1000)) });
    }
    if (faults.rateLimitPerSecond != null && window.count(now) >= faults.rateLimitPerSecond) {
      counters.rateLimited += 1;
      // A 429 sent while an earlier one's Retry-After runs does not start a wait of its own.
      if (now - lastRateLimitAt >= RETRY_AFTER_MS) lastRateLimitAt = now;
      return jsonReply(429, { error: 'Too Many Requests' }, { 'retry-after': String(RETRY_AFTER_MS / 1000) });
    }
    window.admit(now);
    guard.admitted();
    counters.peakCallsPerSecond = Math.max(counters.peakCallsPerSecond, window.count(now));
    const call = parseApiCall(endpoint, bodyText);
    if (call.endpoint === 'details') {
      const { auditId } = call;
      counters.detailsCallsById[auditId] = (counters.detailsCallsById[auditId] ?? 0) + 1;
      const unanswered = detailsInFlight.get(auditId) ?? 0;
      if (unanswered > 0) counters.detailsOverlapsById[auditId] = (counters.detailsOverlapsById[auditId] ?? 0) + 1;
      detailsInFlight.set(auditId, unanswered + 1);
      admitted.auditId = auditId;
    }
    const fault = targetedFault(call, faults) ?? drawFault(faults, random);
    if (fault) {
      counters.faults += 1;
      counters.faultsByKind[faultKindOf(fault)] += 1;
      return faultReply(fault);
    }
    counters.served += 1;
    counters.byEndpoint[call.endpoint] += 1;
    return jsonReply(200, answerCall(dataset, call));
  }

  function answeredDetails(auditId: string): void {
    const unanswered = (detailsInFlight.get(auditId) ?? 1) - 1;
    if (unanswered > 0) detailsInFlight.set(auditId, unanswered);
    else detailsInFlight.delete(auditId);
  }

  async function handleApi(endpoint: Endpoint, req: IncomingMessage, res: ServerResponse): Promise<void> {
    counters.requests += 1;
    counters.lastRequestAtMs = Date.now();
    const sinceRateLimit = counters.lastRequestAtMs - lastRateLimitAt;
    if (sinceRateLimit > RETRY_AFTER_GRACE_MS && sinceRateLimit < RETRY_AFTER_MS) counters.callsDuringRetryAfter += 1;
    if (guard.refusedRevoked) counters.requestsAfterRevocation += 1;
    inFlight[endpoint] += 1;
    counters.peakConcurrency = Math.max(counters.peakConcurrency, inFlightNow());
    const admitted: { auditId?: string } = {};
    try {
      const reply = await decide(endpoint, req, counters.lastRequestAtMs, admitted).catch((error: unknown): ApiReply => {
        if (error instanceof ValidationError) return jsonReply(400, { error: 'Bad Request', message: error.message });
        throw error;
      });
      const latency = drawLatencyMs(faults, random);
      if (latency > 0) await sleep(latency, undefined, { signal: stopping.signal });
      if (reply.hang) await sleep(faults.hangMs, undefined, { signal: stopping.signal });
      send(res, reply);
    } finally {
      inFlight[endpoint] -= 1;
      if (admitted.auditId !== undefined) answeredDetails(admitted.auditId);
    }
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const bodyText = await readBody(req);
    try {
      send(res, controlReply(simulator, req.method, path, bodyText));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      send(res, jsonReply(400, { error: 'Bad Request', message: error.message }));
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    if (path.startsWith(CONTROL_PREFIX)) return handleControl(req, res, path);
    const endpoint = endpointOf(req.method, path);
    if (endpoint) return handleApi(endpoint, req, res);
    send(res, jsonReply(404, { error: 'Not Found' }));
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (stopping.signal.aborted) res.destroy();
      else send(res, jsonReply(500, { error: 'simulator error', message: String(error) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`;

  const simulator: Simulator = {
    url,
    summaryUrl: `${url}${SUMMARY_PATH}`,
    detailsUrl: `${url}${DETAILS_PATH}`,
    truth: () => dataset.truth(),
    counters: () => structuredClone({ ...counters, inFlight }),
    resetCounters: () => {
      counters = { ...emptyCounters(), peakConcurrency: inFlightNow() };
    },
    setFaults: (patch) => {
      faults = parseOrThrow(faultOptionsSchema, { ...faults, ...patch }, 'fault options');
      if ('revokeTokenAfterCalls' in patch) guard.arm(faults.revokeTokenAfterCalls);
      if (patch.quotaSeconds) [quotaEndsAt, quotaFirstRefusedAt] = [Date.now() + patch.quotaSeconds * 1000, undefined];
    },
    setToken: (next) => guard.rotate(parseOrThrow(simulatorOptionsSchema.shape.token, next, 'token')),
    addReports: (count, { on = new Date() } = {}) => dataset.addReports(count, on),
    editReports: (request) => dataset.editReports(request),
    deleteReports: (request) => dataset.deleteReports(request),
    reopenReports: (request) => dataset.reopenReports(request),
    editReportsSilently: (request) => dataset.editReportsSilently(request),
    close: async () => {
      stopping.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return simulator;
}
