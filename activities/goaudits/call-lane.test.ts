import { openSqliteStore } from '../store/sqlite-store';
import type { Store } from '../store/store';
import { createCallLane, spacingMs, sustainedCallsPerSecond } from './call-lane';
import { GoAuditsError } from './errors';
import { LaneWait } from './lane-wait';
import { LateForStart } from './late-start';

/** A clock that only moves when a caller sleeps (or a test says so). */
function fakeTime() {
  let now = 1_800_000_000_000;
  return {
    clock: () => now,
    sleep: async (ms: number) => void (now += ms),
    pass: (ms: number) => void (now += ms),
  };
}

let store: Store;
beforeEach(async () => {
  store = openSqliteStore(':memory:');
  await store.migrate();
});
afterEach(() => store.close());

test('spaces starts so that the limit plus the safety fit in a second', () => {
  expect(spacingMs({ ratePerSecond: 10, safetyMs: 50 })).toBe(105);
  expect(sustainedCallsPerSecond({ ratePerSecond: 20, safetyMs: 0 })).toBe(20);
  expect(sustainedCallsPerSecond({ ratePerSecond: 10, safetyMs: 50 })).toBeCloseTo(9.52, 2);
});

test('no second holds more starts than the limit, however many callers queue at once', async () => {
  const time = fakeTime();
  const lane = createCallLane(store, { ratePerSecond: 10, safetyMs: 50 }, {}, time.clock);
  const starts: number[] = [];
  for (let i = 0; i < 40; i++) await lane.call(async () => starts.push(time.clock()), time.sleep);
  for (const start of starts) expect(starts.filter((s) => s >= start && s < start + 1000).length).toBeLessThanOrEqual(10);
  expect(starts[39] - starts[0]).toBe(39 * 105);
});

test('a 429 holds the lane for its Retry-After, for every caller, and the call then goes through', async () => {
  const time = fakeTime();
  const waits: number[] = [];
  const lane = createCallLane(store, { ratePerSecond: 10, safetyMs: 0 }, { rateLimited: (ms) => waits.push(ms) }, time.clock);
  const first = time.clock();
  let tries = 0;
  const answer = await lane.call(async () => {
    tries++;
    if (tries === 1) throw new GoAuditsError({ kind: 'rate-limit', endpoint: 'details', message: '429', retryAfterMs: 2000 });
    return 'answer';
  }, time.sleep);
  expect(answer).toBe('answer');
  expect(waits).toEqual([2000]);
  expect(time.clock() - first).toBe(2000);
  // Another worker's next call waits behind the hold too.
  const other = createCallLane(store, { ratePerSecond: 10, safetyMs: 0 }, {}, time.clock);
  time.pass(-2000);
  await other.call(async () => expect(time.clock()).toBe(first + 2100), time.sleep);
});

test('calls of the same process that already had a start wait out a 429 too, then queue again', async () => {
  let now = 1_800_000_000_000;
  const begin = now;
  let limitedCame!: () => void;
  const limited = new Promise<void>((resolve) => (limitedCame = resolve));
  let secondSent!: () => void;
  const sentSecond = new Promise<void>((resolve) => (secondSent = resolve));
  /** Sleeps that end at their time, once `after` has happened (so the two calls interleave as in real time). */
  const sleepAfter = (after: Promise<void>) => async (ms: number) => {
    const target = now + ms;
    await after;
    now = Math.max(now, target);
  };
  const lane = createCallLane(store, { ratePerSecond: 10, safetyMs: 0 }, { rateLimited: () => limitedCame() }, () => now);
  const sent: number[] = [];
  let first = true;
  await Promise.all([
    // The first call gets a 429; its own wait ends only after the second call went.
    lane.call(async () => {
      sent.push(now);
      if (first) {
        first = false;
        throw new GoAuditsError({ kind: 'rate-limit', endpoint: 'details', message: '429', retryAfterMs: 2000 });
      }
    }, sleepAfter(sentSecond)),
    // The second had its start (100 ms) before the 429 came, and wakes for it after.
    lane.call(async () => {
      sent.push(now);
      secondSent();
    }, sleepAfter(limited)),
  ]);
  expect(sent[0]).toBe(begin);
  expect(Math.min(...sent.slice(1)) - begin).toBeGreaterThanOrEqual(2000);
});

test('other failures pass through at once', async () => {
  const time = fakeTime();
  const lane = createCallLane(store, { ratePerSecond: 10, safetyMs: 0 }, {}, time.clock);
  const refused = new GoAuditsError({ kind: 'auth', endpoint: 'summary', message: '401' });
  await expect(lane.call(() => Promise.reject(refused), time.sleep)).rejects.toBe(refused);
});

test('a caller that wakes too late gives its start up and takes a new one', async () => {
  const time = fakeTime();
  let late = 0;
  const lane = createCallLane(store, { ratePerSecond: 10, safetyMs: 100 }, { lateStart: () => late++ }, time.clock);
  await lane.call(async () => undefined, time.sleep);
  // Its first sleep is until its turn can come; the second, until its start, lasts 80 ms too long.
  let sleeps = 0;
  const sleepingLong = async (ms: number) => {
    await time.sleep(++sleeps === 2 ? ms + 80 : ms);
  };
  const before = time.clock();
  await lane.call(async () => undefined, sleepingLong);
  expect(late).toBe(1);
  // The first start (before + 110) was missed by 80 ms; the call started at the next one.
  expect(time.clock()).toBe(before + 220);
});

test('tells how long each call waited for its turn, the 429 hold included', async () => {
  const time = fakeTime();
  const waits: number[] = [];
  const lane = createCallLane(store, { ratePerSecond: 10, safetyMs: 0 }, { waited: (ms) => waits.push(ms) }, time.clock);
  let tries = 0;
  await lane.call(async () => {
    if (++tries === 1) throw new GoAuditsError({ kind: 'rate-limit', endpoint: 'details', message: '429', retryAfterMs: 2000 });
  }, time.sleep);
  await lane.call(async () => undefined, time.sleep);
  expect(waits).toEqual([0, 2000, 100]);
});

test('tells when GoAudits refused the token, and when a call went through again', async () => {
  const time = fakeTime();
  const refusals: boolean[] = [];
  const lane = createCallLane(store, { ratePerSecond: 10, safetyMs: 0 }, { tokenRefused: (refused) => refusals.push(refused) }, time.clock);
  const refused = new GoAuditsError({ kind: 'auth', endpoint: 'summary', message: '401', tokenFingerprint: 'f'.repeat(64) });
  await lane.call(async () => undefined, time.sleep);
  await expect(lane.call(() => Promise.reject(refused), time.sleep)).rejects.toBe(refused);
  expect(await store.refusedToken()).toBe('f'.repeat(64));
  await expect(
    lane.call(() => Promise.reject(new GoAuditsError({ kind: 'transient', endpoint: 'summary', message: '503' })), time.sleep),
  ).rejects.toThrow('503');
  await lane.call(async () => undefined, time.sleep);
  expect(refusals).toEqual([false, true, false]);
});

/**
 * Virtual time for callers that run at once: sleeps are timers, and time jumps to the next one
 * once everything else has settled (the store's steps included).
 */
function virtualTime() {
  let now = 1_800_000_000_000;
  const timers: { at: number; wake: () => void }[] = [];
  const settle = async () => {
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    start: now,
    clock: () => now,
    sleep: (ms: number) => new Promise<void>((wake) => timers.push({ at: now + Math.max(0, ms), wake })),
    /** Runs the callers until `work` ends. */
    async run<T>(work: Promise<T>): Promise<T> {
      let done = false;
      const ended = work.finally(() => (done = true));
      for (;;) {
        await settle();
        if (done) return ended;
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift();
        if (!next) throw new Error('every caller sleeps forever');
        now = Math.max(now, next.at);
        next.wake();
      }
    },
  };
}

describe('priorities, shares, budgets and quotas', () => {
  const options = { ratePerSecond: 10, safetyMs: 50, longRunShare: 0.8 };
  const backfill = { priority: 3, runKey: 'goaudits-backfill-2025-10-01-2025-10-31' };

  /** A backfill's callers: each calls again and again (a 30 ms call) until told to stop; their starts. */
  function backfillCallers(lane: ReturnType<typeof createCallLane>, time: ReturnType<typeof virtualTime>, callers: number) {
    const starts: number[] = [];
    let stop = false;
    const loops = Array.from({ length: callers }, async () => {
      const call = async () => {
        starts.push(time.clock());
        await time.sleep(30);
      };
      while (!stop) await lane.call(call, time.sleep, backfill);
    });
    return { starts, stop: async () => ((stop = true), await Promise.all(loops)) };
  }

  /** An hourly run's calls, one after another with `betweenMs` of work between them; how long each waited for its start. */
  async function hourlyCalls(
    lane: ReturnType<typeof createCallLane>,
    time: ReturnType<typeof virtualTime>,
    calls: number,
    betweenMs: number,
  ) {
    const waits: number[] = [];
    const starts: number[] = [];
    for (let i = 0; i < calls; i++) {
      const asked = time.clock();
      await lane.call(async () => void (waits.push(time.clock() - asked), starts.push(time.clock())), time.sleep, { priority: 1 });
      await time.sleep(betweenMs);
    }
    return { waits, starts };
  }

  const mostInAnySecond = (starts: number[]) => Math.max(...starts.map((s) => starts.filter((t) => t >= s && t < s + 1000).length));

  test('an hourly call waits at most about one start for a busy backfill, across two processes, and no second holds more than the limit', async () => {
    const time = virtualTime();
    const backfillProcess = createCallLane(store, options, {}, time.clock);
    const hourlyProcess = createCallLane(store, options, {}, time.clock);
    const busy = backfillCallers(backfillProcess, time, 4);
    await time.run(time.sleep(1000));
    const hourly = await time.run(hourlyCalls(hourlyProcess, time, 20, 40));
    await time.run(busy.stop());
    // Alone, each of its calls would wait for the spacing after its last start: 105 - 40 ms.
    expect(Math.max(...hourly.waits)).toBeLessThanOrEqual(105 + 20);
    const all = [...busy.starts, ...hourly.starts].sort((a, b) => a - b);
    expect(mostInAnySecond(all)).toBeLessThanOrEqual(10);
    for (let i = 1; i < all.length; i++) expect(all[i] - all[i - 1]).toBeGreaterThanOrEqual(105);
    // The backfill kept the lane busy with what the hourly run left.
    expect(all.length).toBeGreaterThanOrEqual(Math.floor((all.at(-1)! - all[0]) / 105) - 2);
  });

  test('a sweep goes before a backfill that waited longer', async () => {
    const time = virtualTime();
    const lane = createCallLane(store, options, {}, time.clock);
    const order: string[] = [];
    await time.run(lane.call(async () => undefined, time.sleep, backfill));
    await time.run(
      Promise.all([
        lane.call(async () => void order.push('backfill'), time.sleep, backfill),
        time.sleep(1).then(() => lane.call(async () => void order.push('sweep'), time.sleep, { priority: 2 })),
      ]),
    );
    expect(order).toEqual(['sweep', 'backfill']);
  });

  test('while an hourly run is active, the backfill takes at most its share of the starts', async () => {
    const time = virtualTime();
    const lane = createCallLane(store, { ...options, longRunShare: 0.5 }, {}, time.clock);
    const busy = backfillCallers(lane, time, 4);
    await time.run(time.sleep(500));
    await time.run(lane.call(async () => undefined, time.sleep, { priority: 1 }));
    const since = time.clock();
    await time.run(time.sleep(1500));
    await time.run(busy.stop());
    const during = busy.starts.filter((s) => s > since && s < since + 1500);
    for (let i = 1; i < during.length; i++) expect(during[i] - during[i - 1]).toBeGreaterThanOrEqual(210);
    expect(during.length).toBeGreaterThanOrEqual(6);
  });

  test('a waiter whose process died holds the lane back only until it expires', async () => {
    const time = virtualTime();
    const lane = createCallLane(store, options, {}, time.clock);
    await time.run(lane.call(async () => undefined, time.sleep, backfill));
    const diedAt = time.clock();
    await store.takeLaneTurn({
      waiterId: 'dead hourly call',
      priority: 1,
      nowMs: time.clock(),
      spacingMs: 105,
      aheadMs: 20,
      longRunSpacingMs: 105,
      othersActiveMs: 2000,
      dayMs: 86_400_000,
      waiterTtlMs: 3000,
    });
    let started = 0;
    await time.run(lane.call(async () => void (started = time.clock()), time.sleep, backfill));
    expect(started - diedAt).toBeGreaterThanOrEqual(3000);
    expect(started - diedAt).toBeLessThanOrEqual(3000 + 1000);
  });

  test('a run at its budget is sent away until the next day, with its calls of the day; the next day it calls again', async () => {
    const time = virtualTime();
    const dayMs = 60_000;
    const lane = createCallLane(store, { ...options, dayMs }, {}, time.clock);
    const budgeted = { ...backfill, maxCallsPerDay: 3 };
    let calls = 0;
    const call = () => lane.call(async () => void calls++, time.sleep, budgeted);
    for (let i = 0; i < 3; i++) await time.run(call());
    const refused = await time.run(call().catch((error: unknown) => error));
    const nextDay = (Math.floor(time.clock() / dayMs) + 1) * dayMs;
    expect(refused).toBeInstanceOf(LaneWait);
    expect((refused as LaneWait).info).toEqual({ reason: 'budget', untilMs: nextDay, callsToday: 3, maxCallsPerDay: 3 });
    expect(calls).toBe(3);
    // Another run's calls are not this run's.
    await time.run(lane.call(async () => void calls++, time.sleep, { ...budgeted, runKey: 'another run' }));
    await time.run(time.sleep(nextDay - time.clock()));
    await time.run(call());
    expect(calls).toBe(5);
  });

  test('a long 429 (a spent quota) sends every caller away until it ends, in every process; a short one is waited out in the call', async () => {
    const time = virtualTime();
    const told: number[] = [];
    const first = createCallLane(store, options, {}, time.clock);
    const other = createCallLane(store, options, { quotaWait: (untilMs) => told.push(untilMs) }, time.clock);
    const quota = new GoAuditsError({ kind: 'rate-limit', endpoint: 'details', message: '429', retryAfterMs: 120_000 });
    const sentAway = await time.run(first.call(() => Promise.reject(quota), time.sleep, backfill).catch((error: unknown) => error));
    expect((sentAway as LaneWait).info).toEqual({ reason: 'quota', untilMs: time.start + 120_000 });
    const alsoSentAway = await time.run(other.call(async () => 'called', time.sleep, { priority: 1 }).catch((error: unknown) => error));
    expect((alsoSentAway as LaneWait).info).toEqual({ reason: 'quota', untilMs: time.start + 120_000 });
    // For the metrics (goaudits_api_quota_wait_until_seconds): the process that only saw the hold tells it too.
    expect(told).toEqual([time.start + 120_000]);
    await time.run(time.sleep(time.start + 120_000 - time.clock()));
    expect(await time.run(other.call(async () => 'called', time.sleep, { priority: 1 }))).toBe('called');
  });
});

test('a call the client finds too late for its start (its process stalled after its turn) is not sent, and takes a new start', async () => {
  const time = fakeTime();
  let late = 0;
  const lane = createCallLane(store, { ratePerSecond: 10, safetyMs: 50 }, { lateStart: () => late++ }, time.clock);
  const sentAt: number[] = [];
  const first = time.clock();
  let stalled = false;
  const answer = await lane.call(async ({ sendBy }) => {
    if (!stalled) {
      stalled = true;
      time.pass(40);
    }
    if (time.clock() > sendBy!) throw new LateForStart();
    sentAt.push(time.clock());
    return 'sent';
  }, time.sleep);
  expect(answer).toBe('sent');
  expect(late).toBe(1);
  // The start given up was the first; the call went at the next, a spacing later.
  expect(sentAt).toEqual([first + 105]);
});
