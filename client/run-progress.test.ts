import { noEnrichment, noIngestion } from '../shared/counts';
import type { Progress } from '../workflows/progress';
import { lineDue, phaseOf, progressLine, progressPicture, timeLeft } from './run-progress';

const nowMs = Date.parse('2025-11-01T10:00:00Z');

const backfill = (more: Partial<Progress> = {}): Progress => ({
  kind: 'backfill',
  from: '2025-10-01',
  to: '2025-10-05',
  windowsDone: 3,
  windowsTotal: 5,
  currentWindow: { startDate: '2025-10-04', endDate: '2025-10-04' },
  ingestion: { ...noIngestion(), ingested: 40 },
  enrichment: { ...noEnrichment(), selected: 40, processed: 19, failedCount: 1 },
  queued: 15,
  batchesRunning: 1,
  controls: { paused: false, batchSize: 5, concurrency: 1 },
  startedAtUtc: '2025-11-01T09:59:50Z',
  callsPerSecond: 4.76,
  limitPerSecond: 4.7619,
  etaUtc: '2025-11-01T10:01:12Z',
  ...more,
});

const sweep = (more: Partial<Progress> = {}): Progress =>
  backfill({
    kind: 'enrichment',
    from: undefined,
    to: undefined,
    windowsDone: 0,
    windowsTotal: 0,
    currentWindow: undefined,
    ingestion: noIngestion(),
    etaUtc: undefined,
    ...more,
  });

describe('progressPicture', () => {
  test('a backfill: a bar for its windows, one for its reports enriched of those queued, then its pace and ETA', () => {
    expect(progressPicture(backfill(), nowMs)).toEqual({
      title: 'backfill 2025-10-01..2025-10-05',
      bars: [
        { name: 'windows', value: 3, total: 5, detail: 'now 2025-10-04..2025-10-04' },
        { name: 'reports', value: 20, total: 40, detail: 'enriched 19, failed 1' },
      ],
      pace: 'calls 4.8/s of at most 4.8/s, ETA 1m 12s',
    });
  });

  test('an hourly run is an ingestion; refreshed reports and reports left to another run are counted when there are some', () => {
    const picture = progressPicture(
      backfill({
        kind: 'hourly',
        enrichment: { ...noEnrichment(), selected: 45, processed: 30, refreshedCount: 4, failedCount: 2, enrichedElsewhereCount: 3 },
      }),
      nowMs,
    );
    expect(picture.title).toBe('ingestion 2025-10-01..2025-10-05');
    expect(picture.bars[1]).toEqual({
      name: 'reports',
      value: 35,
      total: 45,
      detail: 'enriched 30, refreshed 4, failed 2, left to another run 3',
    });
  });

  test('a sweep has no windows', () => {
    expect(progressPicture(sweep({ callsPerSecond: 2, etaUtc: '2025-11-01T10:00:10Z' }), nowMs)).toEqual({
      title: 'sweep',
      bars: [{ name: 'reports', value: 20, total: 40, detail: 'enriched 19, failed 1' }],
      pace: 'calls 2/s of at most 4.8/s, ETA 10s',
    });
  });

  test('a paused run shows "paused", not an ETA; a run that cannot tell its end yet says so', () => {
    const paused = backfill({
      controls: { paused: true, batchSize: 5, concurrency: 1 },
      callsPerSecond: 0,
      etaUtc: undefined,
      noEtaBecause: 'paused',
    });
    expect(progressPicture(paused, nowMs).pace).toBe('calls 0/s of at most 4.8/s, paused');
    expect(progressPicture(sweep({ noEtaBecause: 'too little running time yet' }), nowMs).pace).toBe(
      'calls 4.8/s of at most 4.8/s, no ETA yet',
    );
  });

  test('a run waiting for its budget or for GoAudits says until when, and its ETA counts the wait', () => {
    const budget = backfill({
      callsPerSecond: 0,
      laneWait: { reason: 'budget', untilMs: Date.parse('2025-11-01T10:00:30Z'), callsToday: 60, maxCallsPerDay: 60 },
    });
    expect(progressPicture(budget, nowMs).pace).toBe(
      'waiting for budget until 2025-11-01T10:00:30Z (calls today 60 of 60), calls 0/s of at most 4.8/s, ETA 1m 12s',
    );
    const quota = backfill({ laneWait: { reason: 'quota', untilMs: Date.parse('2025-11-01T10:00:05Z') } });
    expect(progressPicture(quota, nowMs).pace).toMatch(/^GoAudits asks us to wait until 2025-11-01T10:00:05Z, /);
  });

  test('calls in flight and the latency seen, when the batches tell them', () => {
    const calls = { inFlight: 9, p50Ms: 412.4, p95Ms: 880 };
    expect(progressPicture(sweep({ callsPerSecond: 2, calls, etaUtc: '2025-11-01T10:00:10Z' }), nowMs).pace).toBe(
      'calls 2/s of at most 4.8/s, calls in flight 9, latency p50 412 ms, p95 880 ms, ETA 10s',
    );
  });

  test('has no ETA before any call was made', () => {
    expect(progressPicture(sweep({ callsPerSecond: 0 }), nowMs).pace).toBe('calls 0/s of at most 4.8/s, no ETA yet');
  });
});

test('progressLine puts the picture on one plain line', () => {
  expect(progressLine(progressPicture(backfill(), nowMs))).toBe(
    'backfill 2025-10-01..2025-10-05: windows 3/5 (now 2025-10-04..2025-10-04), reports 20/40 (enriched 19, failed 1), calls 4.8/s of at most 4.8/s, ETA 1m 12s',
  );
  expect(progressLine(progressPicture(backfill({ currentWindow: undefined, windowsDone: 5 }), nowMs))).toMatch(
    /: windows 5\/5, reports 20\/40 /,
  );
});

test('phaseOf: reading windows, then enriching the rest, unless paused', () => {
  expect(phaseOf(backfill())).toBe('windows');
  expect(phaseOf(backfill({ windowsDone: 5 }))).toBe('reports');
  expect(phaseOf(sweep())).toBe('reports');
  expect(phaseOf(backfill({ controls: { paused: true, batchSize: 5, concurrency: 1 } }))).toBe('paused');
});

test('lineDue: the first line, every 5 s after, and at once on a change of phase', () => {
  expect(lineDue(undefined, { atMs: 0, phase: 'windows' })).toBe(true);
  expect(lineDue({ atMs: 0, phase: 'windows' }, { atMs: 4_999, phase: 'windows' })).toBe(false);
  expect(lineDue({ atMs: 0, phase: 'windows' }, { atMs: 5_000, phase: 'windows' })).toBe(true);
  expect(lineDue({ atMs: 0, phase: 'windows' }, { atMs: 1_000, phase: 'reports' })).toBe(true);
});

test('timeLeft reads like a clock, and a moment past is 0s', () => {
  expect(timeLeft(9_400)).toBe('9s');
  expect(timeLeft(185_000)).toBe('3m 05s');
  expect(timeLeft(2 * 3600_000 + 4 * 60_000 + 59_000)).toBe('2h 04m');
  expect(timeLeft(-3_000)).toBe('0s');
});

test('progressLine says when the run waits for its budget or for GoAudits', () => {
  const waiting = backfill({
    laneWait: { reason: 'budget', untilMs: Date.parse('2026-12-07T00:00:00Z'), callsToday: 60, maxCallsPerDay: 60 },
  });
  expect(progressLine(progressPicture(waiting, nowMs))).toContain('waiting for budget until 2026-12-07T00:00Z (calls today 60 of 60)');
});
