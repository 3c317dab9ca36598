import { LateForStart } from './late-start';
import { createHash } from 'node:crypto';
import { Agent, request } from 'undici';
import { z } from 'zod';
import { errorForStatus, GoAuditsError, type GoAuditsEndpoint } from './errors';
import { apiCallOutcome, type ApiCall } from './call-outcome';
import type { TokenSource } from './token-source';
import type { Window } from '../../shared/plan';

const optionsSchema = z.object({
  summaryUrl: z.url({ protocol: /^https?$/ }),
  detailsUrl: z.url({ protocol: /^https?$/ }),
  tokenSource: z.custom<TokenSource>(
    (value) =>
      typeof (value as TokenSource | null)?.token === 'function' && typeof (value as TokenSource | null)?.invalidate === 'function',
    'tokenSource must have token() and invalidate()',
  ),
  /** The summary `status` filter. */
  status: z.string().min(1).default('Completed'),
  filterId: z.string().default(''),
  /** Limit for the response headers, and for each gap while the body arrives. */
  timeoutMs: z.number().int().positive().default(30_000),
  /** The largest answer read; a larger one is a `bad-response` (a summary window splits in halves). */
  maxResponseBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 2 ** 20),
  /** Most sockets open to GoAudits at once; unlimited when absent. */
  connections: z.number().int().positive().optional(),
});

export type GoAuditsClientOptions = z.input<typeof optionsSchema>;

const windowSchema = z
  .object({ startDate: z.iso.date(), endDate: z.iso.date() })
  .refine((window) => window.startDate <= window.endDate, 'startDate must not be after endDate');

const reportIdSchema = z.string().trim().min(1, 'reportId must not be blank');

/**
 * The two GoAudits calls. Each returns the parsed JSON as it came (see summary.ts and
 * details.ts) or throws a GoAuditsError; nothing is retried here (Temporal retries activities).
 */
export interface GoAuditsClient {
  summary(window: Window, options?: CallOptions): Promise<unknown>;
  details(reportId: string, options?: CallOptions): Promise<unknown>;
  /** Closes the kept-alive sockets. */
  close(): Promise<void>;
}

/**
 * `signal` aborts the call (an activity's cancellation reaches the socket); no call is made with
 * a token whose fingerprint is `refusedToken` (GoAudits refused it, as every worker knows).
 */
export interface CallOptions {
  signal?: AbortSignal;
  refusedToken?: string | null;
  /** The latest moment (epoch ms) the request may go, given by the call lane: later, it is not sent (LateForStart). */
  sendBy?: number;
}

/** What every worker may know of a token: its SHA-256, hex. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The details endpoint returns nothing for a body with `audit_id` alone; it wants the
 * full set of fields the legacy job sent.
 */
const DETAILS_BODY = {
  archived: '',
  audit_type_id: '',
  auto_fail: '',
  client_id: '',
  custom_fields: '',
  description: '',
  start_date: '2024-01-01',
  end_date: '2050-12-12',
  file_type: '',
  filetype: '',
  filterId: '',
  generated_on: '',
  guid: '',
  json: 0,
  name: '',
  parameters: '',
  report_name: '',
  role_code: '',
  status: '',
  store_id: '',
  tags_ids: '',
  template_name: '',
  templateactive: true,
  templateid: 0,
  uid: '',
  csv: 0,
  csvflag: false,
  jsonflag: true,
  xlsx: 0,
  xlsxflag: false,
} as const;

/**
 * A GoAudits client over one keep-alive connection pool. Throws a ZodError for bad options.
 * `called` hears of every HTTP request sent, once it has ended, and `sending` as it goes: this is
 * the one place every GoAudits call goes through (the call lane counts none that is not sent).
 */
export function createGoAuditsClient(
  options: GoAuditsClientOptions,
  called: (call: ApiCall) => void = () => undefined,
  sending: () => void = () => undefined,
): GoAuditsClient {
  const { summaryUrl, detailsUrl, tokenSource, status, filterId, timeoutMs, maxResponseBytes, connections } = optionsSchema.parse(options);
  const agent = new Agent({
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    ...(connections === undefined ? {} : { connections }),
  });

  async function post(
    endpoint: GoAuditsEndpoint,
    url: string,
    body: object,
    { signal, refusedToken, sendBy }: CallOptions = {},
  ): Promise<unknown> {
    const token = await bearerToken(endpoint);
    const fingerprint = tokenFingerprint(token);
    if (fingerprint === refusedToken) {
      throw new GoAuditsError({
        kind: 'auth',
        endpoint,
        tokenFingerprint: fingerprint,
        message: 'the token was refused (401/403) and has not been rotated; not calling',
      });
    }
    if (sendBy !== undefined && Date.now() > sendBy) throw new LateForStart();
    sending();
    const startedAt = performance.now();
    const ended = (outcome: ApiCall['outcome']) => called({ endpoint, outcome, seconds: (performance.now() - startedAt) / 1000 });
    try {
      const answer = await send(endpoint, url, body, { token, fingerprint }, signal);
      ended('ok');
      return answer;
    } catch (error) {
      ended(apiCallOutcome(error, signal?.aborted ?? false));
      throw error;
    }
  }

  /** One request and its answer, read and parsed; any failure is a GoAuditsError. */
  async function send(
    endpoint: GoAuditsEndpoint,
    url: string,
    body: object,
    bearer: { token: string; fingerprint: string },
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    let response;
    try {
      response = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers: { Authorization: `Bearer ${bearer.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal,
      });
    } catch (cause) {
      throw new GoAuditsError({ kind: 'transient', endpoint, message: `request failed: ${describe(cause)}`, cause });
    }

    if (response.statusCode < 200 || response.statusCode > 299) {
      // Read and drop the body so the socket goes back to the pool; the status says it all.
      await response.body.dump().catch(() => undefined);
      const error = errorForStatus(endpoint, response.statusCode, response.headers, bearer.fingerprint);
      if (error.kind === 'auth') tokenSource.invalidate();
      throw error;
    }

    let text: string;
    try {
      text = await readCapped(response.body, maxResponseBytes);
    } catch (cause) {
      throw new GoAuditsError({
        kind: cause instanceof TooLargeError ? 'bad-response' : 'transient',
        endpoint,
        status: response.statusCode,
        message: `reading the response failed: ${describe(cause)}`,
        cause,
      });
    }
    try {
      return JSON.parse(text);
    } catch {
      // The parser's message quotes the body, so it is left out.
      throw new GoAuditsError({
        kind: 'bad-response',
        endpoint,
        status: response.statusCode,
        message: `response is not valid JSON (${text.length} characters)`,
      });
    }
  }

  /** A token that cannot be had (the vault or the identity is out) is retried later, not a halt. */
  async function bearerToken(endpoint: GoAuditsEndpoint): Promise<string> {
    try {
      return await tokenSource.token();
    } catch (cause) {
      throw new GoAuditsError({ kind: 'token-unavailable', endpoint, message: `no bearer token: ${describe(cause)}`, cause });
    }
  }

  return {
    async summary(window, options) {
      const { startDate, endDate } = windowSchema.parse(window);
      return post(
        'summary',
        summaryUrl,
        {
          start_date: startDate,
          end_date: endDate,
          status,
          jsonflag: true,
          filterId,
          locationId: '',
          userId: '',
          checklistId: '',
          timezoneOffset: 0,
          includePdf: false,
        },
        options,
      );
    },
    async details(reportId, options) {
      return post('details', detailsUrl, { ...DETAILS_BODY, audit_id: reportIdSchema.parse(reportId) }, options);
    },
    close() {
      return agent.close();
    },
  };
}

class TooLargeError extends Error {}

/** The body as text, or a TooLargeError as soon as it passes `maxBytes` (the rest is not read). */
async function readCapped(body: AsyncIterable<Buffer> & { destroy(): unknown }, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (bytes > maxBytes) {
      body.destroy();
      throw new TooLargeError(`the answer is larger than ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** An error's message and code, for our own messages (undici's never include request headers). */
function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as { code?: unknown }).code;
  return typeof code === 'string' ? `${cause.message} (${code})` : cause.message;
}
