import { noEnrichment, noIngestion } from '../shared/counts';
import { CallRate, callsMade, estimatedEnd, progressMarkdown } from './progress';

describe('CallRate', () => {
  test('is the calls per second over the last minute, measured up to now', () => {
    const rate = new CallRate();
    rate.record(0, 0);
    rate.record(30_000, 300);
    expect(rate.perSecond(30_000)).toBe(10);
    rate.record(90_000, 1500);
    // The sample at 0 is over a minute old: the rate runs from 30 s (300 calls) to 90 s (1500).
    expect(rate.perSecond(90_000)).toBe(20);
  });

  test('falls while a run makes no calls, and is 0 before any time has passed', () => {
    const rate = new CallRate();
    expect(rate.perSecond(1000)).toBe(0);
    rate.record(0, 0);
    rate.record(10_000, 100);
    expect(rate.perSecond(20_000)).toBe(5);
  });
});

test('callsMade counts a call per window and per report enriched or given up on', () => {
  expect(callsMade({ ...noIngestion(), pages: 3 }, { ...noEnrichment(), processed: 40, failedCount: 2 })).toBe(45);
});

describe('estimatedEnd', () => {
  const nowMs = Date.parse('2025-11-01T10:00:00Z');

  test('counts the windows left, the reports waiting for enrichment and those the windows left should bring', () => {
    // 10 windows left, 100 reports ingested but not enriched, 20 reports per window to come: 310 calls at 10/s.
    const eta = estimatedEnd({ nowMs, callsPerSecond: 10, windowsDone: 10, windowsTotal: 20, ingested: 200, enrichedOrFailed: 100 });
    expect(eta).toBe('2025-11-01T10:00:31Z');
  });

  test('is the enrichment left alone once every window is read', () => {
    expect(estimatedEnd({ nowMs, callsPerSecond: 20, windowsDone: 5, windowsTotal: 5, ingested: 900, enrichedOrFailed: 300 })).toBe(
      '2025-11-01T10:00:30Z',
    );
  });

  test('has no answer before any call was made', () => {
    expect(estimatedEnd({ nowMs, callsPerSecond: 0, windowsDone: 0, windowsTotal: 5, ingested: 0, enrichedOrFailed: 0 })).toBeUndefined();
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
    callsPerSecond: 9.46,
    limitPerSecond: 9.52,
    etaUtc: '2025-11-01T11:00:00Z',
  });
  expect(markdown.split('\n')).toEqual([
    '### GoAudits backfill 2025-10-01..2025-10-31: **paused**',
    '- window 3 of 31 (now 2025-10-04..2025-10-04)',
    '- reports ingested 42, enriched 30, failed 2, waiting 10, batches running 1',
    '- calls 9.5/s of at most 9.5/s, ETA 2025-11-01T11:00:00Z',
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
  });
  expect(markdown.split('\n')).toEqual([
    '### GoAudits enrichment: running',
    '- reports ingested 0, enriched 5, failed 0, waiting 10, batches running 1',
    '- calls 2/s of at most 2/s',
    '- batch size 5, concurrency 1, its own pace of at most 2 calls/s',
  ]);
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
    '- calls 0/s of at most 9.5/s',
    '- batch size 50, concurrency 2, the shared call lane, budget 60 calls a day',
  ]);
  const quota = { reason: 'quota', untilMs: Date.parse('2026-12-06T10:02:00Z') } as const;
  expect(progressMarkdown({ ...waiting, laneWait: quota }).split('\n')[1]).toBe('- GoAudits asks us to wait until 2026-12-06T10:02Z');
});
