import { noEnrichment, type EnrichmentCounts } from '../shared/counts';
import { enrichBatch, type BatchDeps, type BatchProgress } from './enrichment-batch';
import { GoAuditsError } from './goaudits/errors';

const detailRows = (key: string) => [{ RecordType: 'Detail', QUESTION_ID: key, Question: `Question ${key}?`, Answer: 'Yes' }];

/** A batch over fakes: `answers` says what GoAudits answers each report (an array, or an error to throw). */
function batch(
  answers: Record<string, unknown>,
  options: {
    resumed?: BatchProgress;
    heldElsewhere?: string[];
    refreshing?: string[];
    mostInFlight?: number | 'auto';
    p95Ms?: number;
  } = {},
) {
  const calls: string[] = [];
  const saved: string[] = [];
  const failures: { reportId: string; error: string }[] = [];
  const heartbeats: BatchProgress[] = [];
  const released: string[] = [];
  const enriched: Partial<EnrichmentCounts>[] = [];
  const deps: BatchDeps = {
    store: {
      claimReports: async ({ reportIds }) => reportIds.filter((id) => !options.heldElsewhere?.includes(id)),
      releaseReports: async ({ reportIds }) => void released.push(...reportIds),
      saveReportDetails: async ({ details }) => {
        saved.push(details.reportId);
        const refreshed = options.refreshing?.includes(details.reportId) ?? false;
        return { certUpdated: false, answersInserted: details.answers.length, markedProcessed: !refreshed, certMissing: true, refreshed };
      },
      recordEnrichmentFailure: async ({ reportId, error }) => {
        failures.push({ reportId, error });
        const failuresSoFar = failures.filter((f) => f.reportId === reportId).length;
        return { failures: failuresSoFar, quarantined: failuresSoFar >= 1 };
      },
    },
    goaudits: {
      details: async (reportId) => {
        calls.push(reportId);
        const answer = await answers[reportId];
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
    lane: { call: (call) => call({ refusedToken: null }) },
    retry: { initialIntervalMs: 1, maximumIntervalMs: 2, maximumAttempts: 3 },
    quarantineAfter: 1,
    metrics: { reportEnriched: (report) => void enriched.push(report) },
    latency: { snapshot: () => ({ inFlight: 0, p50Ms: options.p95Ms, p95Ms: options.p95Ms, setbacks: 0 }) },
    laneCallsPerSecond: 10,
  };
  const run = () =>
    enrichBatch(
      deps,
      { runId: 'run-1', reportIds: Object.keys(answers), mostInFlight: options.mostInFlight },
      {
        sleep: async () => undefined,
        signal: new AbortController().signal,
        heartbeat: (progress) => heartbeats.push(progress),
        resumed: options.resumed,
        warn: () => undefined,
      },
    );
  return { run, calls, saved, failures, heartbeats, released, enriched };
}

const serverError = () => new GoAuditsError({ kind: 'transient', endpoint: 'details', status: 500, message: 'HTTP 500 (transient)' });

test('stores each report, heartbeating its progress after each one', async () => {
  const b = batch({ A: detailRows('1'), B: detailRows('2') });
  expect(await b.run()).toMatchObject({ processed: 2, answersInsertedCount: 2, failedCount: 0 });
  expect(b.heartbeats.map((h) => h.done)).toEqual([1, 2]);
});

test('counts the reports whose stored answers a refresh replaced', async () => {
  const b = batch({ A: detailRows('1'), B: detailRows('2') }, { refreshing: ['B'] });
  expect(await b.run()).toMatchObject({ processed: 2, refreshedCount: 1, markedProcessedCount: 1 });
});

test('leaves alone the reports another run holds, counting them, and releases its own claims', async () => {
  const b = batch({ A: detailRows('1'), B: detailRows('2'), C: detailRows('3') }, { heldElsewhere: ['B'] });
  expect(await b.run()).toMatchObject({ processed: 2, enrichedElsewhereCount: 1 });
  expect(b.calls).toEqual(['A', 'C']);
  expect(b.released).toEqual(['A', 'C']);
});

test('a retry resumes after the last report heartbeated, with its counts', async () => {
  const resumed = { done: 1, counts: { ...noEnrichment(), processed: 1, answersInsertedCount: 5 } };
  const b = batch({ A: detailRows('1'), B: detailRows('2') }, { resumed });
  expect(await b.run()).toMatchObject({ processed: 2, answersInsertedCount: 6 });
  expect(b.calls).toEqual(['B']);
});

test('a call that keeps failing is tried the set number of times, then recorded as failed', async () => {
  const b = batch({ A: serverError(), B: detailRows('2') });
  expect(await b.run()).toMatchObject({ processed: 1, failedCount: 1, quarantinedCount: 1 });
  expect(b.calls).toEqual(['A', 'A', 'A', 'B']);
  expect(b.failures).toEqual([{ reportId: 'A', error: 'GoAudits details: HTTP 500 (transient)' }]);
});

test('the metrics hear of each report as it is done, not of those another run holds', async () => {
  const b = batch({ A: serverError(), B: detailRows('2'), C: detailRows('3') }, { heldElsewhere: ['C'] });
  await b.run();
  expect(b.enriched).toEqual([{ failedCount: 1, quarantinedCount: 1 }, expect.objectContaining({ processed: 1, answersInsertedCount: 1 })]);
});

test('no Detail rows, or no usable question key, are failures with their reason; nothing is stored', async () => {
  const b = batch({ A: [{ RecordType: 'Header' }], B: [{ RecordType: 'Detail', Question: '  ', Answer: 'x' }] });
  expect(await b.run()).toMatchObject({ processed: 0, failedCount: 2 });
  expect(b.failures.map((f) => f.error)).toEqual([
    'GoAudits has no Detail rows for this report',
    'no Detail row has a usable question key',
  ]);
  expect(b.saved).toEqual([]);
});

test('a token that cannot be had fails the batch, to be retried, without counting the report as failed', async () => {
  const unavailable = new GoAuditsError({ kind: 'token-unavailable', endpoint: 'details', message: 'no bearer token: vault unreachable' });
  const b = batch({ A: detailRows('1'), B: unavailable });
  await expect(b.run()).rejects.toBe(unavailable);
  expect(b.failures).toEqual([]);
  expect(b.heartbeats).toEqual([expect.objectContaining({ done: 1, counts: expect.objectContaining({ processed: 1 }) })]);
});

test('a refused token stops the batch at once', async () => {
  const refused = new GoAuditsError({ kind: 'auth', endpoint: 'details', status: 401, message: 'HTTP 401 (auth)' });
  const b = batch({ A: detailRows('1'), B: refused, C: detailRows('3') });
  expect(await b.run()).toMatchObject({ processed: 1, authFatal: true });
  expect(b.calls).toEqual(['A', 'B']);
});

/** A details answer the test gives when it wants. */
function later() {
  let answer!: (value: unknown) => void;
  const promise = new Promise<unknown>((resolve) => (answer = resolve));
  return { promise, answer };
}
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('several reports in flight', () => {
  test('as many calls in flight as the rate times the latency needs, under the ceiling', async () => {
    const slow = Object.fromEntries(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J'].map((id) => [id, later()]));
    // 10 calls/s at a p95 of 400 ms: 7 in flight.
    const b = batch(Object.fromEntries(Object.entries(slow).map(([id, l]) => [id, l.promise])), { mostInFlight: 'auto', p95Ms: 400 });
    const done = b.run();
    await settle();
    expect(b.calls).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G']);
    slow.C.answer(detailRows('3'));
    await settle();
    expect(b.calls).toHaveLength(8);
    expect(b.heartbeats.at(-1)).toMatchObject({ done: 0, alsoDone: [2], calls: { inFlight: 6, wanted: 7, p95Ms: 400 } });
    for (const l of Object.values(slow)) l.answer(detailRows('1'));
    expect(await done).toMatchObject({ processed: 10 });
    expect(b.heartbeats.at(-1)).toMatchObject({ done: 10, counts: { processed: 10 } });
    expect(b.heartbeats.at(-1)?.alsoDone).toBeUndefined();
  });

  test('a numeric ceiling holds however slow GoAudits is; unset, one at a time', async () => {
    const slow = { A: later(), B: later(), C: later() };
    const answers = Object.fromEntries(Object.entries(slow).map(([id, l]) => [id, l.promise]));
    const two = batch(answers, { mostInFlight: 2, p95Ms: 5000 });
    const running = two.run();
    await settle();
    expect(two.calls).toEqual(['A', 'B']);
    const one = batch(answers, { p95Ms: 5000 });
    const alone = one.run();
    await settle();
    expect(one.calls).toEqual(['A']);
    for (const l of Object.values(slow)) l.answer(detailRows('1'));
    await Promise.all([running, alone]);
  });

  test('a retry after out-of-order ends redoes none of the reports heartbeated done and skips none', async () => {
    const slow = { A: later(), B: later(), C: later(), D: later() };
    const unavailable = new GoAuditsError({ kind: 'token-unavailable', endpoint: 'details', message: 'no bearer token' });
    const first = batch(Object.fromEntries(Object.entries(slow).map(([id, l]) => [id, l.promise])), { mostInFlight: 4, p95Ms: 1000 });
    const failing = first.run();
    slow.B.answer(detailRows('2'));
    slow.D.answer(detailRows('4'));
    await settle();
    slow.A.answer(unavailable);
    slow.C.answer(detailRows('3'));
    await expect(failing).rejects.toBe(unavailable);
    const last = first.heartbeats.at(-1)!;
    expect(last).toMatchObject({ done: 0, alsoDone: [1, 2, 3], counts: { processed: 3 } });

    const again = batch(
      { A: detailRows('1'), B: detailRows('2'), C: detailRows('3'), D: detailRows('4') },
      { resumed: last, mostInFlight: 4 },
    );
    expect(await again.run()).toMatchObject({ processed: 4, answersInsertedCount: 4 });
    expect(again.calls).toEqual(['A']);
    expect(again.released).toEqual(['A']);
  });

  test('a refused token starts no more reports; those in flight end and count', async () => {
    const refused = new GoAuditsError({ kind: 'auth', endpoint: 'details', status: 401, message: 'HTTP 401 (auth)' });
    const slowB = later();
    const b = batch({ A: refused, B: slowB.promise, C: detailRows('3'), D: detailRows('4') }, { mostInFlight: 2, p95Ms: 1000 });
    const done = b.run();
    await settle();
    slowB.answer(detailRows('2'));
    expect(await done).toMatchObject({ processed: 1, authFatal: true });
    expect(b.calls).toEqual(['A', 'B']);
  });
});
