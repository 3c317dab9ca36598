import { RETRY_AFTER_GRACE_MS, startSimulator, type Simulator, type SimulatorOptions } from './server';

const TOKEN = 'secret-token';
const DATASET = { reports: 80, from: '2025-03-01', to: '2025-03-05', seed: 3 };
const DETAILS_BODY = {
  start_date: '2024-01-01',
  end_date: '2050-12-12',
  jsonflag: true,
  json: 0,
  csv: 0,
  xlsx: 0,
  templateactive: true,
  templateid: 0,
  filterId: '',
  locationId: '',
};
const summaryBody = (start: string, end: string, status = 'Completed') => ({
  start_date: start,
  end_date: end,
  status,
  jsonflag: true,
  filterId: '',
  locationId: '',
  userId: '',
  checklistId: '',
  timezoneOffset: 0,
  includePdf: false,
});

let sim: Simulator;
const start = async (options: Partial<SimulatorOptions> = {}) => {
  sim = await startSimulator({ token: TOKEN, dataset: DATASET, ...options });
};
afterEach(async () => {
  await sim?.close();
});

const post = (url: string, body: unknown, token: string | null = TOKEN) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const summary = (start: string, end: string, status?: string) => post(sim.summaryUrl, summaryBody(start, end, status));
const details = (id: string, token: string | null = TOKEN) => post(sim.detailsUrl, { ...DETAILS_BODY, audit_id: id }, token);
const rowsOf = async (res: Response) => (await res.json()) as Record<string, unknown>[];

describe('GoAudits API', () => {
  test('refuses a missing or wrong token with 401', async () => {
    await start();
    expect((await post(sim.summaryUrl, summaryBody('2025-03-01', '2025-03-05'), null)).status).toBe(401);
    expect((await details('A000001', 'wrong')).status).toBe(401);
    expect(sim.counters()).toMatchObject({ requests: 2, served: 0, authFailures: 2 });
  });

  test('summary answers in-range Completed rows, duplicates and junk included', async () => {
    await start();
    const truth = sim.truth().reports;
    const all = await rowsOf(await summary('2025-03-01', '2025-03-05'));
    const audits = all.filter((row) => typeof row.ID === 'string' && /^A\d+$/.test(row.ID) && /^\d{4}-/.test(String(row.Updated_On)));
    expect(new Set(audits.map((row) => row.ID))).toEqual(new Set(truth.map((report) => report.id)));
    expect(audits.length).toBeGreaterThan(truth.length);
    expect(all.length).toBeGreaterThan(audits.length);
    expect(all.every((row) => row.Status === 'Completed')).toBe(true);

    const some = await rowsOf(await summary('2025-03-02', '2025-03-03'));
    const inRange = truth.filter((report) => report.completedAtUtc >= '2025-03-02' && report.completedAtUtc < '2025-03-04');
    expect(new Set(some.filter((row) => /^A\d+$/.test(String(row.ID))).map((row) => row.ID))).toEqual(new Set(inRange.map((r) => r.id)));

    const open = await rowsOf(await summary('2025-03-01', '2025-03-05', 'In Progress'));
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((row) => row.Status === 'In Progress')).toBe(true);
  });

  test('summary refuses a bad body with 400', async () => {
    await start();
    const bad = [
      { ...summaryBody('2025-03-01', '2025-03-05'), start_date: undefined },
      summaryBody('2025-02-30', '2025-03-05'),
      summaryBody('2025-03-05', '2025-03-01'),
    ];
    for (const body of bad) expect((await post(sim.summaryUrl, body)).status).toBe(400);
    const notJson = await post(sim.summaryUrl, '{"start_date":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: 'Bad Request' });
  });

  test('details: known id, unknown id, minimal body', async () => {
    await start();
    const id = sim.truth().reports.find((report) => report.answers.length > 0)?.id as string;
    const rows = await rowsOf(await details(id));
    expect(rows.filter((row) => row.RecordType === 'Detail').length).toBeGreaterThan(0);
    expect(rows.some((row) => row.RecordType !== 'Detail')).toBe(true);
    expect(await rowsOf(await details('A999999'))).toEqual([]);
    expect(await rowsOf(await post(sim.detailsUrl, { audit_id: id }))).toEqual([]);
    expect(sim.counters()).toMatchObject({ served: 3, byEndpoint: { summary: 0, details: 3 }, detailsCallsById: { [id]: 2, A999999: 1 } });
  });

  test('rate limit: 429 with Retry-After over the limit; the peak never exceeds it', async () => {
    await start({ rateLimitPerSecond: 5 });
    const answers = await Promise.all(Array.from({ length: 12 }, () => details('A000001')));
    const limited = answers.filter((res) => res.status === 429);
    expect(limited).toHaveLength(7);
    expect(limited.every((res) => res.headers.get('retry-after') === '1')).toBe(true);
    expect(sim.counters()).toMatchObject({ requests: 12, served: 5, rateLimited: 7, peakCallsPerSecond: 5 });
    sim.setFaults({ rateLimitPerSecond: null });
    expect((await details('A000001')).status).toBe(200);
  });

  test("counts the calls that came while a 429's Retry-After still ran, after the grace for calls on their way", async () => {
    await start({ rateLimitPerSecond: 1 });
    expect((await details('A000001')).status).toBe(200);
    expect((await details('A000001')).status).toBe(429);
    expect(sim.counters().callsDuringRetryAfter).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_GRACE_MS + 50));
    expect((await details('A000001')).status).toBe(429);
    expect(sim.counters().callsDuringRetryAfter).toBe(1);
  });

  test('a spent quota: every call answered 429 with the seconds left as Retry-After until it is over; calls during it counted', async () => {
    await start();
    expect((await details('A000001')).status).toBe(200);
    sim.setFaults({ quotaSeconds: 2 });
    const refused = await details('A000001');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('2');
    await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_GRACE_MS + 50));
    expect((await details('A000001')).status).toBe(429);
    expect(sim.counters()).toMatchObject({ quotaRefused: 2, rateLimited: 2, callsDuringQuota: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await details('A000001')).status).toBe(200);
  });

  test('revokes the token after N calls until it is rotated', async () => {
    await start({ revokeTokenAfterCalls: 2 });
    expect((await details('A000001')).status).toBe(200);
    expect((await details('A000002')).status).toBe(200);
    expect((await details('A000003')).status).toBe(401);
    expect((await details('A000003')).status).toBe(401);
    expect((await details('A000003')).status).toBe(401);
    expect(sim.counters()).toMatchObject({ served: 2, authFailures: 3, requestsAfterRevocation: 2 });
    sim.setToken('rotated');
    expect((await details('A000003', 'rotated')).status).toBe(200);
    expect((await details('A000003')).status).toBe(401);
    sim.setFaults({ revokeTokenAfterCalls: 0, revokedStatus: 403 });
    expect((await details('A000003', 'rotated')).status).toBe(403);
  });

  test('failingSummaryDays: every summary window that includes the day answers 500 while listed', async () => {
    await start();
    sim.setFaults({ failingSummaryDays: ['2025-01-02'] });
    expect((await summary('2025-01-02', '2025-01-02')).status).toBe(500);
    expect((await summary('2025-01-01', '2025-01-03')).status).toBe(500);
    expect((await summary('2025-01-03', '2025-01-03')).status).toBe(200);
    sim.setFaults({ failingSummaryDays: [] });
    expect((await summary('2025-01-02', '2025-01-02')).status).toBe(200);
  });

  test('failingDetails answer 500 while listed', async () => {
    await start();
    sim.setFaults({ failingDetails: ['A000002'] });
    expect((await details('A000002')).status).toBe(500);
    expect((await details('A000001')).status).toBe(200);
    sim.setFaults({ failingDetails: [] });
    expect((await details('A000002')).status).toBe(200);
    expect(sim.counters()).toMatchObject({
      faults: 1,
      faultsByKind: { serverError: 1 },
      served: 2,
      detailsCallsById: { A000002: 2, A000001: 1 },
    });
  });

  test('random faults, hangs and long ranges', async () => {
    await start({ fault5xxRate: 1, hangMs: 50 });
    expect([500, 502, 503]).toContain((await details('A000001')).status);
    sim.setFaults({ fault5xxRate: 0, malformedRate: 1 });
    const malformed = await details('A000001');
    expect(malformed.status).toBe(200);
    await expect(malformed.json()).rejects.toThrow();
    sim.setFaults({ malformedRate: 0, timeoutRate: 1 });
    const began = Date.now();
    expect((await details('A000001')).status).toBe(504);
    expect(Date.now() - began).toBeGreaterThanOrEqual(45);
    sim.setFaults({ timeoutRate: 0, summaryMaxDays: 2 });
    expect((await summary('2025-03-01', '2025-03-03')).status).toBe(504);
    expect((await summary('2025-03-01', '2025-03-02')).status).toBe(200);
    expect(sim.counters()).toMatchObject({ requests: 5, faults: 4, served: 1, faultsByKind: { serverError: 1, malformed: 1, hang: 2 } });
    expect(() => sim.setFaults({ fault5xxRate: 2 })).toThrow(/fault5xxRate/);
  });

  test('latency and concurrency are measured; counters reset', async () => {
    await start({ latencyMs: 400 });
    const began = Date.now();
    const calls = Promise.all([details('A000001'), details('A000002'), summary('2025-03-01', '2025-03-01')]);
    while (sim.counters().requests < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(sim.counters().inFlight).toEqual({ summary: 1, details: 2 });
    await calls;
    expect(sim.counters().inFlight).toEqual({ summary: 0, details: 0 });
    expect(Date.now() - began).toBeGreaterThanOrEqual(395);
    expect(sim.counters()).toMatchObject({ requests: 3, served: 3, peakConcurrency: 3, byEndpoint: { summary: 1, details: 2 } });
    sim.resetCounters();
    expect(sim.counters()).toMatchObject({ requests: 0, served: 0, peakConcurrency: 0, detailsCallsById: {} });
  });

  test('counts a details call for a report whose earlier call is still unanswered', async () => {
    await start({ latencyMs: 200 });
    await Promise.all([details('A000001'), details('A000001'), details('A000002')]);
    await details('A000001');
    expect(sim.counters()).toMatchObject({ detailsCallsById: { A000001: 3, A000002: 1 }, detailsOverlapsById: { A000001: 1 } });
    sim.resetCounters();
    await details('A000001');
    expect(sim.counters().detailsOverlapsById).toEqual({});
  });

  test('unknown paths answer 404 and are not counted', async () => {
    await start();
    expect((await post(`${sim.url}/v1/other`, {})).status).toBe(404);
    expect(sim.counters().requests).toBe(0);
  });
});

describe('control over HTTP', () => {
  const control = (path: string, body?: unknown) =>
    fetch(`${sim.url}/__sim/${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });

  test('truth, counters, faults, reports, token; none counted as API calls', async () => {
    await start();
    expect(await (await control('truth')).json()).toEqual(sim.truth());

    const added = (await (await control('reports', { count: 2, on: '2025-03-06' })).json()) as { ids: string[] };
    expect(added.ids).toEqual(['A000081', 'A000082']);
    const rows = await rowsOf(await summary('2025-03-06', '2025-03-06'));
    expect(new Set(rows.map((row) => row.ID))).toEqual(new Set(added.ids));
    const exact = (await (await control('reports', { count: 1, on: '2025-03-07T10:11:12Z' })).json()) as { ids: string[] };
    expect(sim.truth().reports.find((report) => report.id === exact.ids[0])?.completedAtUtc).toBe('2025-03-07T10:11:12Z');

    expect((await control('faults', { failingDetails: ['A000001'] })).status).toBe(200);
    expect((await details('A000001')).status).toBe(500);
    const bad = await control('faults', { timeoutRate: 'often' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('timeoutRate');
    expect((await control('faults', { token: 'x' })).status).toBe(400);

    expect((await control('token', { token: 'next' })).status).toBe(200);
    expect((await details('A000002', 'next')).status).toBe(200);

    const counters = await (await control('counters')).json();
    expect(counters).toMatchObject({ requests: 3, served: 2, faults: 1 });
    expect((await control('counters/reset', {})).status).toBe(200);
    expect(sim.counters().requests).toBe(0);
  });

  test('latency, median and tail, changes while the simulator runs', async () => {
    await start({ latencyMs: 0 });
    const timed = async () => {
      const began = Date.now();
      expect((await details('A000001')).status).toBe(200);
      return Date.now() - began;
    };
    expect(await timed()).toBeLessThan(150);
    expect((await control('faults', { latencyMs: 300, latencyP95Ms: 301 })).status).toBe(200);
    expect(await timed()).toBeGreaterThanOrEqual(250);
    expect((await control('faults', { latencyMs: 0, latencyP95Ms: null })).status).toBe(200);
    expect(await timed()).toBeLessThan(150);
    expect((await control('faults', { latencyP95Ms: -1 })).status).toBe(400);
  });

  test('edits: the summary for the edit day and the details show the edited audit', async () => {
    await start();
    const before = await rowsOf(await details('A000001'));
    const edited = await control('edits', { ids: ['A000001'], at: '2025-03-09T08:07:06.500Z' });
    expect(await edited.json()).toEqual({ ids: ['A000001'] });
    const onEditDay = await rowsOf(await summary('2025-03-09', '2025-03-09'));
    expect(onEditDay.filter((row) => row.ID === 'A000001').map((row) => row.Updated_On)[0]).toBe('2025-03-09 08:07:06');
    const after = await rowsOf(await details('A000001'));
    const detailRows = (rows: Record<string, unknown>[]) => rows.filter((row) => row.RecordType === 'Detail');
    expect(detailRows(after)).not.toEqual(detailRows(before));
    expect(detailRows(after).some((row) => String(row.Answer).startsWith('edited 1: '))).toBe(true);
    expect(sim.truth().reports.find((report) => report.id === 'A000001')?.completedAtUtc).toBe('2025-03-09T08:07:06Z');

    const truthBefore = sim.truth().reports;
    const picked = (await (await control('edits', { count: 2, moveUpdatedOn: false })).json()) as { ids: string[] };
    expect(picked.ids).toHaveLength(2);
    for (const id of picked.ids) {
      const [was, now] = [truthBefore, sim.truth().reports].map((reports) => reports.find((report) => report.id === id));
      expect(now?.completedAtUtc).toBe(was?.completedAtUtc);
      expect(now?.certificateNumber).not.toBe(was?.certificateNumber);
    }
  });

  test('edits: a bad body gets 400 naming the problem', async () => {
    await start();
    const bad: [unknown, RegExp][] = [
      [{ ids: 'A000001' }, /ids: /],
      [{ count: 1, at: 'tomorrow' }, /at: /],
      [{ count: 1.5 }, /count: /],
      [{ count: 1, moveUpdatedOn: 'no' }, /moveUpdatedOn: /],
      [{ count: 1, when: '2025-03-09' }, /when/],
      [{ ids: ['A000001'], count: 1 }, /exactly one of ids and count/],
      [{}, /exactly one of ids and count/],
      [{ ids: ['A999999'] }, /A999999 cannot be edited/],
      [{ count: 1000 }, /count: 1000 asked/],
    ];
    for (const [body, message] of bad) {
      const res = await control('edits', body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
    }
    expect(await (await control('truth')).json()).toEqual(sim.truth());
  });
});

describe('drift control over HTTP', () => {
  const control = (path: string, body: unknown) => fetch(`${sim.url}/__sim/${path}`, { method: 'POST', body: JSON.stringify(body) });
  const idsOf = async (res: Response) => ((await res.json()) as { ids: string[] }).ids;
  const listed = async (status?: string) => new Set((await rowsOf(await summary('2025-03-01', '2025-03-05', status))).map((row) => row.ID));

  test('deletions, reopenings and silent edits: the summary, the details and the truth follow', async () => {
    await start();
    const summaryBefore = await rowsOf(await summary('2025-03-01', '2025-03-05'));
    const truthBefore = sim.truth().reports;

    expect(await idsOf(await control('deletions', { ids: ['A000001'] }))).toEqual(['A000001']);
    expect(await listed()).not.toContain('A000001');
    expect(await rowsOf(await details('A000001'))).toEqual(await rowsOf(await details('A999999')));

    const [reopened] = await idsOf(await control('reopenings', { count: 1 }));
    expect(await listed()).not.toContain(reopened);
    expect(await listed('In Progress')).toContain(reopened);

    const edited = await idsOf(await control('silent-edits', { ids: ['A000002'], change: 'both' }));
    expect(edited).toEqual(['A000002']);
    const summaryAfter = await rowsOf(await summary('2025-03-01', '2025-03-05'));
    expect(summaryAfter).toEqual(summaryBefore.filter((row) => row.ID !== 'A000001' && row.ID !== reopened));
    const [was, now] = [truthBefore, sim.truth().reports].map((reports) => reports.find((report) => report.id === 'A000002'));
    expect(now?.completedAtUtc).toBe(was?.completedAtUtc);
    expect(now?.certificateNumber).not.toBe(was?.certificateNumber);
    expect(now?.answers).not.toEqual(was?.answers);
    expect(sim.truth().reports.map((report) => report.id)).toEqual(
      truthBefore.map((report) => report.id).filter((id) => id !== 'A000001' && id !== reopened),
    );
    expect(sim.counters().requests).toBe(7); // the API calls above; control calls are not counted
  });

  test('a bad body gets 400 naming the problem, and changes nothing', async () => {
    await start();
    const bad: [string, unknown, RegExp][] = [
      ['deletions', { ids: ['A999999'] }, /A999999 cannot be deleted: no such audit/],
      ['deletions', {}, /exactly one of ids and count/],
      ['reopenings', { ids: ['A000005'] }, /A000005 cannot be reopened: its status is In Progress/],
      ['reopenings', { count: 1, status: 'Completed' }, /status: must not be Completed/],
      ['silent-edits', { count: 1, change: 'score' }, /change: /],
      ['silent-edits', { count: 1, at: '2025-03-09T00:00:00Z' }, /at/],
    ];
    const truth = sim.truth();
    for (const [path, body, message] of bad) {
      const res = await control(path, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { message: string }).message).toMatch(message);
    }
    expect(sim.truth()).toEqual(truth);
  });
});

describe('options', () => {
  test('a bad option is named', async () => {
    await expect(startSimulator({ token: TOKEN, dataset: { ...DATASET, from: 'yesterday' } })).rejects.toThrow(/dataset\.from/);
    await expect(startSimulator({ token: '', dataset: DATASET })).rejects.toThrow(/token/);
    await expect(startSimulator({ token: TOKEN, dataset: DATASET, rateLimitPerSecond: -1 })).rejects.toThrow(/rateLimitPerSecond/);
    await expect(startSimulator({ token: TOKEN, dataset: DATASET, latencyMS: 5 } as SimulatorOptions)).rejects.toThrow(/latencyMS/);
  });
});
