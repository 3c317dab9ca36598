import { openSqliteStore } from '../store/sqlite-store';
import type { Store } from '../store/store';
import { createCallLane, spacingMs, sustainedCallsPerSecond } from './call-lane';
import { GoAuditsError } from './errors';

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
    if (tries === 1) throw new GoAuditsError({ kind: 'rate-limit', endpoint: 'details', message: '429', retryAfterMs: 3000 });
    return 'answer';
  }, time.sleep);
  expect(answer).toBe('answer');
  expect(waits).toEqual([3000]);
  expect(time.clock() - first).toBe(3000);
  // Another worker's next call waits behind the hold too.
  expect(await store.reserveApiCall({ nowMs: first, spacingMs: 100 })).toBe(first + 3100);
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
  let overslept = false;
  const sleepingLong = async (ms: number) => {
    await time.sleep(overslept ? ms : ms + 80);
    overslept = true;
  };
  const before = time.clock();
  await lane.call(async () => undefined, sleepingLong);
  expect(late).toBe(1);
  // The first start (before + 110) was missed by 80 ms; the call started at the next one.
  expect(time.clock()).toBe(before + 110 + 80 + 30);
});

test('tells how long each call waited for its turn, the 429 hold included', async () => {
  const time = fakeTime();
  const waits: number[] = [];
  const lane = createCallLane(store, { ratePerSecond: 10, safetyMs: 0 }, { waited: (ms) => waits.push(ms) }, time.clock);
  let tries = 0;
  await lane.call(async () => {
    if (++tries === 1) throw new GoAuditsError({ kind: 'rate-limit', endpoint: 'details', message: '429', retryAfterMs: 3000 });
  }, time.sleep);
  await lane.call(async () => undefined, time.sleep);
  expect(waits).toEqual([0, 3000, 100]);
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
