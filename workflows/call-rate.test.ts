import { ActiveCallRate } from './call-rate';

test('is the calls per second over the last minute of running time, measured up to now', () => {
  const rate = new ActiveCallRate();
  rate.record(0, 0, true);
  rate.record(30_000, 300, true);
  expect(rate.perSecond(30_000)).toBe(10);
  rate.record(90_000, 1500, true);
  // The sample at 0 is over a minute old: the rate runs from 30 s (300 calls) to 90 s (1500).
  expect(rate.perSecond(90_000)).toBe(20);
  // No call counted since: the rate falls.
  expect(rate.perSecond(150_000)).toBe(10);
});

test('leaves paused and waiting time out, so a run that goes on keeps its rate', () => {
  const rate = new ActiveCallRate();
  rate.record(0, 0, true);
  rate.record(20_000, 200, false); // paused at 20 s
  expect(rate.perSecond(50_000)).toBe(10);
  rate.record(50_000, 200, true); // resumed at 50 s
  rate.record(60_000, 300, true);
  expect(rate.perSecond(60_000)).toBe(10);
  expect(rate.forecast(60_000)).toBe(10);
});

test('tells no rate to plan by before 10 s of running or 20 calls, unless a rate was carried over', () => {
  const fresh = new ActiveCallRate();
  expect(fresh.forecast(0)).toBeUndefined();
  fresh.record(0, 0, true);
  fresh.record(5_000, 10, true);
  expect(fresh.forecast(5_000)).toBeUndefined();
  expect(fresh.perSecond(5_000)).toBe(2);
  fresh.record(10_000, 20, true);
  expect(fresh.forecast(10_000)).toBe(2);
  const fast = new ActiveCallRate();
  fast.record(0, 0, true);
  fast.record(2_000, 20, true);
  expect(fast.forecast(2_000)).toBe(10);
});

test('moves from a carried rate to the measured one over its first minute, without a jump', () => {
  const continued = new ActiveCallRate(20);
  expect(continued.forecast(0)).toBe(20);
  continued.record(0, 1000, true);
  expect(continued.forecast(0)).toBe(20);
  // 15 s measured at 10/s, 45 s of the carried 20/s: (150 + 900) / 60.
  continued.record(15_000, 1150, true);
  expect(continued.forecast(15_000)).toBe(17.5);
  continued.record(60_000, 1600, true);
  expect(continued.forecast(60_000)).toBe(10);
});
