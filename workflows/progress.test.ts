import { addCounts, noEnrichment, noIngestion } from '../shared/counts';
import { ActiveCallRate } from './call-rate';
import { callsMade, paceAndEta, progressMarkdown } from './progress';

test('callsMade counts a call per window and per report enriched or given up on', () => {
  expect(callsMade({ ...noIngestion(), pages: 3 }, { ...noEnrichment(), processed: 40, failedCount: 2 })).toBe(45);
});

describe('paceAndEta', () => {
  const nowMs = Date.parse('2025-11-01T10:00:00Z');
  /** 20 s of running at 10 calls/s up to now. */
  const rate = () => {
    const measured = new ActiveCallRate();
    measured.record(nowMs - 20_000, 0, true);
    measured.record(nowMs, 200, true);
    return measured;
  };
  const enrichment = addCounts(noEnrichment(), { selected: 200, processed: 90, failedCount: 10 });

  test('counts windows left, reports left and those the windows left should bring, at the rate the run gets', () => {
    // 10 windows left, 100 reports known and not done, 20 a window to come: 310 calls at 10/s.
    expect(paceAndEta({ nowMs, rate: rate(), limitPerSecond: 10, paused: false, windowsDone: 10, windowsTotal: 20, enrichment })).toEqual({
      callsPerSecond: 10,
      limitPerSecond: 10,
      etaUtc: '2025-11-01T10:00:31Z',
    });
  });

  test('a paused run has no ETA and no calls per second', () => {
    expect(paceAndEta({ nowMs, rate: rate(), limitPerSecond: 10, paused: true, windowsDone: 10, windowsTotal: 20, enrichment })).toEqual({
      callsPerSecond: 0,
      limitPerSecond: 10,
      noEtaBecause: 'paused',
    });
  });

  test('a run waiting for its budget ends its work left after the wait', () => {
    const laneWait = { reason: 'budget' as const, untilMs: Date.parse('2025-11-01T10:05:00Z'), callsToday: 60, maxCallsPerDay: 60 };
    expect(
      paceAndEta({ nowMs, rate: rate(), limitPerSecond: 10, paused: false, laneWait, windowsDone: 20, windowsTotal: 20, enrichment }),
    ).toEqual({
      callsPerSecond: 0,
      limitPerSecond: 10,
      etaUtc: '2025-11-01T10:05:10Z',
      laneWait,
    });
  });
});

test("progressMarkdown says where the run is, in the pipeline's words", () => {
  const markdown = progressMarkdown({
    kind: 'backfill',
    from: '2025-10-01',
    to: '2025-10-31',
    windowsDone: 3,
    windowsTotal: 31,
    currentWindow: { startDate: '2025-10-04', endDate: '2025-10-04' },
    ingestion: { ...noIngestion(), ingested: 42 },
    enrichment: { ...noEnrichment(), processed: 30, failedCount: 2 },
    queued: 10,
    batchesRunning: 1,
    controls: { paused: true, batchSize: 50, concurrency: 2 },
    startedAtUtc: '2025-11-01T10:00:00Z',
    callsPerSecond: 0,
    limitPerSecond: 9.52,
    noEtaBecause: 'paused',
  });
  expect(markdown.split('\n')).toEqual([
    '### GoAudits backfill 2025-10-01..2025-10-31: **paused**',
    '- window 3 of 31 (now 2025-10-04..2025-10-04)',
    '- reports ingested 42, enriched 30, failed 2, waiting 10, batches running 1',
    '- calls 0/s of at most 9.5/s, paused',
    '- batch size 50, concurrency 2, the shared call lane',
  ]);
});

test('windows read ahead show how many are in flight', () => {
  const markdown = progressMarkdown({
    kind: 'hourly',
    windowsDone: 2,
    windowsTotal: 14,
    currentWindow: { startDate: '2025-10-03', endDate: '2025-10-03' },
    windowsInFlight: 4,
    ingestion: noIngestion(),
    enrichment: noEnrichment(),
    queued: 0,
    batchesRunning: 2,
    controls: { paused: false, batchSize: 50, concurrency: 'auto' },
    startedAtUtc: '2025-11-01T10:00:00Z',
    callsPerSecond: 9.5,
    limitPerSecond: 9.52,
  });
  expect(markdown.split('\n')).toEqual(
    expect.arrayContaining([
      '- window 2 of 14 (now 2025-10-03..2025-10-03, 4 in flight)',
      '- batch size 50, concurrency auto, the shared call lane',
    ]),
  );
});

test('a run with reports to refresh says how many, and how many are refreshed', () => {
  const markdown = progressMarkdown({
    kind: 'hourly',
    windowsDone: 1,
    windowsTotal: 2,
    ingestion: { ...noIngestion(), ingested: 3, refreshRequested: 10 },
    enrichment: { ...noEnrichment(), processed: 9, refreshedCount: 6 },
    queued: 4,
    batchesRunning: 1,
    controls: { paused: false, batchSize: 50, concurrency: 1 },
    startedAtUtc: '2025-11-01T10:00:00Z',
    callsPerSecond: 2,
    limitPerSecond: 9.5,
  });
  expect(markdown.split('\n')[3]).toBe('- reports to refresh 10 (edited in GoAudits, or asked for), refreshed 6');
});

test('a sweep shows no windows', () => {
  const markdown = progressMarkdown({
    kind: 'enrichment',
    windowsDone: 0,
    windowsTotal: 0,
    ingestion: noIngestion(),
    enrichment: { ...noEnrichment(), selected: 20, processed: 5 },
    queued: 10,
    batchesRunning: 1,
    controls: { paused: false, batchSize: 5, concurrency: 1, rateLimitPerSecond: 2 },
    startedAtUtc: '2025-11-01T10:00:00Z',
    callsPerSecond: 2,
    limitPerSecond: 2,
    etaUtc: '2025-11-01T10:00:08Z',
    laneWait: { reason: 'quota', untilMs: Date.parse('2025-11-01T10:00:01Z') },
  });
  expect(markdown.split('\n')).toEqual([
    '### GoAudits enrichment: **waiting**',
    '- GoAudits asks us to wait until 2025-11-01T10:00:01Z',
    '- reports ingested 0, enriched 5, failed 0, waiting 10, batches running 1',
    '- calls 2/s of at most 2/s, ETA 2025-11-01T10:00:08Z',
    '- batch size 5, concurrency 1, its own pace of at most 2 calls/s',
  ]);
});

test('a reconcile shows days checked of total and the differences found so far', () => {
  const markdown = progressMarkdown({
    kind: 'reconcile',
    from: '2025-10-01',
    to: '2025-10-30',
    windowsDone: 12,
    windowsTotal: 30,
    currentWindow: { startDate: '2025-10-13', endDate: '2025-10-13' },
    ingestion: { ...noIngestion(), pages: 40 },
    enrichment: noEnrichment(),
    queued: 0,
    batchesRunning: 0,
    controls: { paused: false, batchSize: 50, concurrency: 1 },
    startedAtUtc: '2025-11-01T10:00:00Z',
    callsPerSecond: 9,
    limitPerSecond: 9.5,
    etaUtc: '2025-11-01T10:05:00Z',
    reconcile: { differences: { missing: 1, stale: 2, gone: 0, unenriched: 0, answersDiffer: 3 }, suspectDays: 0, phase: 'checking days' },
  });
  expect(markdown.split('\n').slice(0, 3)).toEqual([
    '### GoAudits reconcile 2025-10-01..2025-10-30: running',
    '- days checked 12 of 30 (now 2025-10-13); checking days',
    '- differences so far: missing 1, stale 2, gone 0, unenriched 0, answersDiffer 3',
  ]);
  expect(markdown).toContain('ETA 2025-11-01T10:05:00Z');
});

test('a run sent away by the call lane says what it waits for and until when, with its budget', () => {
  const waiting = {
    kind: 'backfill',
    from: '2025-10-01',
    to: '2025-10-31',
    windowsDone: 3,
    windowsTotal: 31,
    ingestion: { ...noIngestion(), ingested: 42 },
    enrichment: { ...noEnrichment(), processed: 18 },
    queued: 24,
    batchesRunning: 0,
    controls: { paused: false, batchSize: 50, concurrency: 2, maxCallsPerDay: 60 },
    startedAtUtc: '2026-12-06T10:00:00Z',
    callsPerSecond: 0,
    limitPerSecond: 9.52,
  };
  const budget = { reason: 'budget', untilMs: Date.parse('2026-12-07T00:00:00Z'), callsToday: 60, maxCallsPerDay: 60 } as const;
  expect(progressMarkdown({ ...waiting, laneWait: budget }).split('\n')).toEqual([
    '### GoAudits backfill 2025-10-01..2025-10-31: **waiting**',
    '- waiting for budget until 2026-12-07T00:00Z (calls today 60 of 60)',
    '- window 3 of 31',
    '- reports ingested 42, enriched 18, failed 0, waiting 24, batches running 0',
    '- calls 0/s of at most 9.5/s, no ETA yet (no calls yet)',
    '- batch size 50, concurrency 2, the shared call lane, budget 60 calls a day',
  ]);
  const quota = { reason: 'quota', untilMs: Date.parse('2026-12-06T10:02:00Z') } as const;
  expect(progressMarkdown({ ...waiting, laneWait: quota }).split('\n')[1]).toBe('- GoAudits asks us to wait until 2026-12-06T10:02Z');
});
