import { laneWaitText, runPriority } from './lane-caller';

test('hourly runs go first, then sweeps, then backfills and every other long run', () => {
  expect(['hourly', 'enrichment', 'backfill', 'reconcile'].map(runPriority)).toEqual([1, 2, 3, 3]);
});

test('a budget wait names its reset and the calls of the day; a quota wait names the end of the Retry-After', () => {
  const midnight = Date.parse('2026-12-07T00:00:00Z');
  expect(laneWaitText({ reason: 'budget', untilMs: midnight, callsToday: 60, maxCallsPerDay: 60 })).toBe(
    'waiting for budget until 2026-12-07T00:00Z (calls today 60 of 60)',
  );
  expect(laneWaitText({ reason: 'quota', untilMs: Date.parse('2026-12-06T14:32:10.500Z') })).toBe(
    'GoAudits asks us to wait until 2026-12-06T14:32:10Z',
  );
});
