import { callsLeft, runEta } from './eta';

describe('callsLeft', () => {
  test('a call per window left, per report known and not done, and per report the windows left should bring', () => {
    // 10 windows left, 100 reports not done, 20 reports a window so far: 10 + 100 + 200.
    expect(callsLeft({ windowsDone: 10, windowsTotal: 20, reportsKnown: 200, reportsDone: 100 })).toBe(310);
  });

  test('once every window is read, the reports not done', () => {
    expect(callsLeft({ windowsDone: 5, windowsTotal: 5, reportsKnown: 900, reportsDone: 300 })).toBe(600);
    expect(callsLeft({ windowsDone: 0, windowsTotal: 0, reportsKnown: 40, reportsDone: 40 })).toBe(0);
  });

  test('unknown while windows are left and none is read', () => {
    expect(callsLeft({ windowsDone: 0, windowsTotal: 14, reportsKnown: 0, reportsDone: 0 })).toBeUndefined();
  });
});

describe('runEta', () => {
  const nowMs = Date.parse('2025-11-01T10:00:00Z');

  test('the calls left at the rate the run gets', () => {
    expect(runEta({ nowMs, paused: false, callsLeft: 600, callsPerSecond: 9.5 })).toEqual({ endUtc: '2025-11-01T10:01:03Z' });
  });

  test('after a wait for the budget or the quota', () => {
    const waitingUntilMs = Date.parse('2025-11-01T10:10:00Z');
    expect(runEta({ nowMs, paused: false, waitingUntilMs, callsLeft: 600, callsPerSecond: 10 })).toEqual({
      endUtc: '2025-11-01T10:11:00Z',
    });
    // A wait already over counts from now.
    const over = Date.parse('2025-11-01T09:00:00Z');
    expect(runEta({ nowMs, paused: false, waitingUntilMs: over, callsLeft: 100, callsPerSecond: 10 })).toEqual({
      endUtc: '2025-11-01T10:00:10Z',
    });
  });

  test('none while paused, before a window is read, or before the rate can be told; a run with nothing left ends now', () => {
    expect(runEta({ nowMs, paused: true, callsLeft: 600, callsPerSecond: 10 })).toEqual({ none: 'paused' });
    expect(runEta({ nowMs, paused: false, callsLeft: undefined, callsPerSecond: 10 })).toEqual({ none: 'no window read yet' });
    expect(runEta({ nowMs, paused: false, callsLeft: 600, callsPerSecond: undefined })).toEqual({ none: 'too little running time yet' });
    expect(runEta({ nowMs, paused: false, callsLeft: 0, callsPerSecond: undefined })).toEqual({ endUtc: '2025-11-01T10:00:00Z' });
  });
});
