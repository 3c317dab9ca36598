import { callsOfRun } from './calls-in-flight';

test("a run's calls in flight: its windows in flight and its batches' calls; the highest latency they see", () => {
  const beats = [
    { done: 3, counts: {}, calls: { inFlight: 5, wanted: 7, p50Ms: 390, p95Ms: 820 } },
    { done: 0, counts: {}, calls: { inFlight: 2, wanted: 7, p50Ms: 410, p95Ms: 760 } },
    undefined,
  ];
  expect(callsOfRun(3, beats)).toEqual({ inFlight: 10, p50Ms: 410, p95Ms: 820 });
});

test('none from batches of earlier versions (no calls in their heartbeats), or before any batch heartbeats', () => {
  expect(callsOfRun(2, [{ done: 1, counts: {} }])).toBeUndefined();
  expect(callsOfRun(0, [])).toBeUndefined();
});

test('a latency not seen yet stays unknown', () => {
  expect(callsOfRun(0, [{ calls: { inFlight: 1, wanted: 9 } }])).toEqual({ inFlight: 1, p50Ms: undefined, p95Ms: undefined });
});
