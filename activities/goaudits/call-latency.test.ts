import { callsInFlightWanted, createCallLatency, SETBACK_MS } from './call-latency';

describe('the latency tracker', () => {
  test('counts calls in flight and gives p50 and p95 of the answered ones', () => {
    const latency = createCallLatency();
    expect(latency.snapshot()).toEqual({ inFlight: 0, p50Ms: undefined, p95Ms: undefined, setbacks: 0 });
    for (let i = 0; i < 100; i++) latency.sent();
    expect(latency.snapshot().inFlight).toBe(100);
    for (let i = 1; i <= 100; i++) latency.ended({ outcome: 'ok', seconds: i / 100 });
    expect(latency.snapshot()).toEqual({ inFlight: 0, p50Ms: 510, p95Ms: 960, setbacks: 0 });
  });

  test('looks at the recent calls only, so it follows a change of latency', () => {
    const latency = createCallLatency();
    for (let i = 0; i < 300; i++) latency.ended({ outcome: 'ok', seconds: 0.4 });
    for (let i = 0; i < 11; i++) latency.ended({ outcome: 'ok', seconds: 1.5 });
    expect(latency.snapshot()).toMatchObject({ p50Ms: 400, p95Ms: 1500 });
    for (let i = 0; i < 200; i++) latency.ended({ outcome: 'ok', seconds: 0.02 });
    expect(latency.snapshot()).toMatchObject({ p50Ms: 20, p95Ms: 20 });
  });

  test('429s and timeouts are setbacks for a while, not latency; other failures are neither', () => {
    let now = 0;
    const seen: number[] = [];
    const latency = createCallLatency(
      (snapshot) => seen.push(snapshot.setbacks),
      () => now,
    );
    latency.ended({ outcome: 'rate_limited', seconds: 0.01 });
    latency.ended({ outcome: 'timeout', seconds: 30 });
    latency.ended({ outcome: 'transient', seconds: 0.2 });
    expect(latency.snapshot()).toMatchObject({ setbacks: 2, p95Ms: undefined });
    expect(seen).toEqual([1, 2, 2]);
    now += SETBACK_MS;
    expect(latency.snapshot().setbacks).toBe(0);
  });
});

describe('calls in flight wanted', () => {
  const at = (p95Ms: number | undefined, setbacks = 0) => ({ inFlight: 0, p95Ms, setbacks });

  test("Little's law on the p95, with headroom", () => {
    expect(callsInFlightWanted({ ratePerSecond: 9.5, latency: at(20), ceiling: 32 })).toBe(2);
    expect(callsInFlightWanted({ ratePerSecond: 9.5, latency: at(400), ceiling: 32 })).toBe(7);
    expect(callsInFlightWanted({ ratePerSecond: 9.5, latency: at(1000), ceiling: 32 })).toBe(16);
    expect(callsInFlightWanted({ ratePerSecond: 9.5, latency: at(1500), ceiling: 32 })).toBe(23);
    expect(callsInFlightWanted({ ratePerSecond: 9.5, latency: at(undefined), ceiling: 32 })).toBe(9);
  });

  test('bounded by the ceiling, and at least one', () => {
    expect(callsInFlightWanted({ ratePerSecond: 950, latency: at(400), ceiling: 32 })).toBe(32);
    expect(callsInFlightWanted({ ratePerSecond: 9.5, latency: at(1000), ceiling: 3 })).toBe(3);
    expect(callsInFlightWanted({ ratePerSecond: 0.1, latency: at(10), ceiling: 32 })).toBe(2);
  });

  test('halved for each recent 429 or timeout', () => {
    expect(callsInFlightWanted({ ratePerSecond: 9.5, latency: at(1000, 1), ceiling: 32 })).toBe(8);
    expect(callsInFlightWanted({ ratePerSecond: 9.5, latency: at(1000, 2), ceiling: 32 })).toBe(4);
    expect(callsInFlightWanted({ ratePerSecond: 9.5, latency: at(1000, 9), ceiling: 32 })).toBe(1);
  });
});
