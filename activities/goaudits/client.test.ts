import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGoAuditsClient, tokenFingerprint, type GoAuditsClient, type GoAuditsClientOptions } from './client';
import { GoAuditsError } from './errors';
import { LateForStart } from './late-start';
import type { ApiCall } from './call-outcome';
import type { TokenSource } from './token-source';

const TOKEN = 'secret-token-5f0e9c';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: unknown;
  socketPort: number | undefined;
}

type Respond = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let respond: Respond;
let received: Received[];
let client: GoAuditsClient;
let tokenSource: TokenSource & { invalidate: jest.Mock };

function json(status: number, body: unknown, headers: Record<string, string> = {}): Respond {
  return (_req, res) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

function makeClient(options: Partial<GoAuditsClientOptions> = {}, called?: (call: ApiCall) => void): GoAuditsClient {
  return createGoAuditsClient(
    {
      summaryUrl: `${baseUrl}/v1/audits/getauditsummary`,
      detailsUrl: `${baseUrl}/v1/audits/getauditdetailsbyid`,
      tokenSource,
      ...options,
    },
    called,
  );
}

/** The promise's rejection (failing the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<GoAuditsError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(GoAuditsError);
  return error as GoAuditsError;
}

beforeEach(async () => {
  received = [];
  respond = json(200, []);
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
        socketPort: req.socket.remotePort,
      });
      respond(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tokenSource = { token: async () => TOKEN, invalidate: jest.fn() };
  client = makeClient();
});

afterEach(async () => {
  server.closeAllConnections();
  await client.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('summary', () => {
  it('POSTs the window as JSON with the bearer token and returns the parsed answer', async () => {
    respond = json(200, [{ ID: 'A', Updated_On: '2025-01-01 00:00:00' }]);
    await expect(client.summary({ startDate: '2025-01-01', endDate: '2025-01-31' })).resolves.toEqual([
      { ID: 'A', Updated_On: '2025-01-01 00:00:00' },
    ]);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/audits/getauditsummary' });
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toEqual({
      start_date: '2025-01-01',
      end_date: '2025-01-31',
      status: 'Completed',
      jsonflag: true,
      filterId: '',
      locationId: '',
      userId: '',
      checklistId: '',
      timezoneOffset: 0,
      includePdf: false,
    });
  });

  it('sends the configured status and filterId', async () => {
    await client.close();
    client = makeClient({ status: 'Archived', filterId: 'F9' });
    await client.summary({ startDate: '2025-01-01', endDate: '2025-01-01' });
    expect(received[0]?.body).toMatchObject({ status: 'Archived', filterId: 'F9' });
  });

  it.each([[{ startDate: '2025-1-1', endDate: '2025-01-31' }], [{ startDate: '2025-02-01', endDate: '2025-01-31' }]])(
    'rejects a bad window %j without calling GoAudits',
    async (window) => {
      await expect(client.summary(window)).rejects.toThrow();
      expect(received).toHaveLength(0);
    },
  );
});

describe('details', () => {
  it('POSTs audit_id merged into the full legacy body', async () => {
    respond = json(200, [{ RecordType: 'Detail', QUESTION_ID: '1', Answer: 'C-1' }]);
    await expect(client.details('R-42')).resolves.toEqual([{ RecordType: 'Detail', QUESTION_ID: '1', Answer: 'C-1' }]);
    const [request] = received;
    expect(request).toMatchObject({ method: 'POST', url: '/v1/audits/getauditdetailsbyid' });
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toMatchObject({
      audit_id: 'R-42',
      start_date: '2024-01-01',
      end_date: '2050-12-12',
      jsonflag: true,
      json: 0,
      csv: 0,
      xlsx: 0,
      templateactive: true,
      templateid: 0,
      client_id: '',
      status: '',
      csvflag: false,
      xlsxflag: false,
    });
  });

  it('does not send a call the lane says is too late for its start, and sends one in time', async () => {
    respond = json(200, []);
    await expect(client.details('R-42', { sendBy: Date.now() - 1 })).rejects.toBeInstanceOf(LateForStart);
    expect(received).toHaveLength(0);
    await expect(client.details('R-42', { sendBy: Date.now() + 60_000 })).resolves.toEqual([]);
    expect(received).toHaveLength(1);
  });

  it('rejects a blank report id without calling GoAudits', async () => {
    await expect(client.details('  ')).rejects.toThrow('reportId must not be blank');
    expect(received).toHaveLength(0);
  });
});

describe('failures', () => {
  it.each([401, 403])('classifies %i as auth and invalidates the token', async (status) => {
    respond = json(status, { message: 'Unauthorized' });
    const error = await failure(client.summary({ startDate: '2025-01-01', endDate: '2025-01-02' }));
    expect(error).toMatchObject({ kind: 'auth', status, endpoint: 'summary' });
    expect(tokenSource.invalidate).toHaveBeenCalledTimes(1);
  });

  it('makes no call with the token whose fingerprint it is told was refused, and a new token goes', async () => {
    respond = json(401, { message: 'Unauthorized' });
    const refused = await failure(client.details('R1'));
    expect(refused.tokenFingerprint).toBe(tokenFingerprint(TOKEN));
    expect(refused.tokenFingerprint).toMatch(/^[0-9a-f]{64}$/);
    respond = json(200, []);
    const again = await failure(client.details('R2', { refusedToken: refused.tokenFingerprint }));
    expect(again).toMatchObject({ kind: 'auth', endpoint: 'details' });
    expect(received).toHaveLength(1);

    tokenSource.token = async () => 'rotated-token';
    await expect(client.details('R3', { refusedToken: refused.tokenFingerprint })).resolves.toEqual([]);
    expect(received).toHaveLength(2);
    expect(received[1].headers.authorization).toBe('Bearer rotated-token');
  });

  it('classifies 429 as rate-limit with Retry-After in seconds', async () => {
    respond = json(429, { message: 'slow down' }, { 'Retry-After': '12' });
    const error = await failure(client.details('R1'));
    expect(error).toMatchObject({ kind: 'rate-limit', status: 429, retryAfterMs: 12_000, endpoint: 'details' });
    expect(tokenSource.invalidate).not.toHaveBeenCalled();
  });

  it('classifies 429 with an HTTP-date Retry-After', async () => {
    respond = json(429, {}, { 'Retry-After': new Date(Date.now() + 60_000).toUTCString() });
    const error = await failure(client.details('R1'));
    expect(error.kind).toBe('rate-limit');
    expect(error.retryAfterMs).toBeGreaterThan(55_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('classifies 429 without Retry-After', async () => {
    respond = json(429, {});
    expect(await failure(client.details('R1'))).toMatchObject({ kind: 'rate-limit', retryAfterMs: undefined });
  });

  it.each([500, 502, 408])('classifies %i as transient', async (status) => {
    respond = json(status, { error: 'boom' });
    expect(await failure(client.details('R1'))).toMatchObject({ kind: 'transient', status });
  });

  it('classifies other 4xx as bad-response', async () => {
    respond = json(404, { error: 'no such route' });
    expect(await failure(client.details('R1'))).toMatchObject({ kind: 'bad-response', status: 404 });
  });

  it('classifies a 200 with malformed JSON as bad-response', async () => {
    respond = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('[{"ID": "A",');
    };
    const error = await failure(client.summary({ startDate: '2025-01-01', endDate: '2025-01-02' }));
    expect(error).toMatchObject({ kind: 'bad-response', status: 200 });
    expect(error.message).toBe('GoAudits summary: response is not valid JSON (12 characters)');
  });

  it('refuses an answer larger than maxResponseBytes as bad-response, and reads one at the limit', async () => {
    await client.close();
    client = makeClient({ maxResponseBytes: 1000 });
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ ID: `A${String(i).padStart(4, '0')}` }));
    respond = json(200, rows(200));
    const error = await failure(client.summary({ startDate: '2025-01-01', endDate: '2025-01-02' }));
    expect(error).toMatchObject({ kind: 'bad-response', status: 200 });
    expect(error.message).toBe('GoAudits summary: reading the response failed: the answer is larger than 1000 bytes');
    const fits = rows(20);
    expect(JSON.stringify(fits).length).toBeLessThanOrEqual(1000);
    respond = json(200, fits);
    await expect(client.summary({ startDate: '2025-01-01', endDate: '2025-01-02' })).resolves.toEqual(fits);
  });

  it('classifies a server that never answers as transient once timeoutMs passes', async () => {
    await client.close();
    client = makeClient({ timeoutMs: 200 });
    respond = () => undefined;
    const error = await failure(client.details('R1'));
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/request failed: .*timeout/i);
  });

  it('classifies a body that stops arriving as transient', async () => {
    await client.close();
    client = makeClient({ timeoutMs: 200 });
    respond = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('[');
    };
    const error = await failure(client.details('R1'));
    expect(error).toMatchObject({ kind: 'transient', status: 200 });
    expect(error.message).toMatch(/reading the response failed: .*timeout/i);
  });

  it('classifies a refused connection as transient', async () => {
    await client.close();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    client = makeClient({ detailsUrl: `http://127.0.0.1:${port}/details` });
    const error = await failure(client.details('R1'));
    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('treats a token that cannot be read as unavailable (retried, not a halt), without calling GoAudits', async () => {
    await client.close();
    tokenSource.token = async () => {
      throw new Error('environment variable GOAUDITS_BEARER_TOKEN is not set or is empty');
    };
    client = makeClient();
    const error = await failure(client.details('R1'));
    expect(error.kind).toBe('token-unavailable');
    expect(error.message).toMatch(/GOAUDITS_BEARER_TOKEN/);
    expect(received).toHaveLength(0);
  });

  it('never puts the token in an error message, even when GoAudits echoes it', async () => {
    const echo =
      (status: number): Respond =>
      (req, res) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(`not json ${req.headers.authorization}`);
      };
    const messages: string[] = [];
    for (const status of [200, 400, 401, 403, 429, 500]) {
      respond = echo(status);
      const error = await failure(client.details('R1'));
      messages.push(error.message, error.stack ?? '');
    }
    expect(messages.join('\n')).not.toContain(TOKEN);
  });
});

describe('calls heard', () => {
  it('tells of every request sent, once, with its endpoint, outcome and duration, and of no call it does not make', async () => {
    await client.close();
    const heard: ApiCall[] = [];
    client = makeClient({ timeoutMs: 200 }, (call) => heard.push(call));
    const answers: Respond[] = [
      json(200, []),
      json(429, {}),
      json(503, {}),
      (_req, res) => res.end('not json'),
      () => undefined,
      json(401, {}),
    ];
    for (const answer of answers) {
      respond = answer;
      await client.details('R1').catch(() => undefined);
    }
    await client
      .summary({ startDate: '2025-01-01', endDate: '2025-01-01' }, { refusedToken: tokenFingerprint(TOKEN) })
      .catch(() => undefined);
    tokenSource.token = async () => {
      throw new Error('vault unreachable');
    };
    await client.summary({ startDate: '2025-01-01', endDate: '2025-01-01' }).catch(() => undefined);

    expect(heard.map(({ endpoint, outcome }) => `${endpoint} ${outcome}`)).toEqual([
      'details ok',
      'details rate_limited',
      'details transient',
      'details bad_response',
      'details timeout',
      'details auth',
    ]);
    expect(received).toHaveLength(heard.length);
    expect(heard[4].seconds).toBeGreaterThanOrEqual(0.15);
    for (const { seconds } of heard) expect(seconds).toBeGreaterThan(0);
  });
});

describe('connections', () => {
  // With one connection allowed, every call after the first can only succeed on the kept-alive
  // socket once the previous answer's body has been read or discarded.
  it('reuses the kept-alive socket after every kind of answer', async () => {
    await client.close();
    client = makeClient({ connections: 1, timeoutMs: 2000 });
    const answers: Respond[] = [
      json(200, []),
      json(500, { error: 'x'.repeat(100_000) }),
      json(429, {}, { 'Retry-After': '1' }),
      (_req, res) => res.end('not json'),
      json(200, []),
      json(401, { error: 'nope' }), // last: a refused token is not sent again
    ];
    for (const answer of answers) {
      respond = answer;
      await client.details('R1').catch((error: unknown) => expect(error).toBeInstanceOf(GoAuditsError));
    }
    expect(received).toHaveLength(answers.length);
    expect(new Set(received.map((request) => request.socketPort)).size).toBe(1);
  }, 5000);
});

describe('options', () => {
  it('rejects invalid options', () => {
    expect(() => makeClient({ summaryUrl: 'not a url' })).toThrow();
    expect(() => makeClient({ detailsUrl: 'ftp://example.com/x' })).toThrow();
    expect(() => makeClient({ timeoutMs: 0 })).toThrow();
    expect(() => makeClient({ tokenSource: {} as TokenSource })).toThrow(/tokenSource/);
  });
});
