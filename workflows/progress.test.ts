import { noEnrichment, noIngestion } from './counts';
import { pace, progressMarkdown } from './progress';

describe('pace', () => {
  const startedAtUtc = '2025-11-01T10:00:00Z';
  const at = (minutes: number) => Date.parse(startedAtUtc) + minutes * 60_000;

  test('no ETA before the first window', () => {
    expect(pace({ startedAtUtc, nowMs: at(1), windowsDone: 0, windowsTotal: 10, ingested: 0 })).toEqual({ reportsPerMinute: 0 });
  });

  test('rate and ETA follow the windows done so far', () => {
    expect(pace({ startedAtUtc, nowMs: at(10), windowsDone: 5, windowsTotal: 20, ingested: 125 })).toEqual({
      reportsPerMinute: 12.5,
      etaUtc: '2025-11-01T10:40:00Z',
    });
  });
});

test('progressMarkdown says where the run is, in the pipeline\'s words', () => {
  const markdown = progressMarkdown({
    kind: 'backfill',
    from: '2025-10-01',
    to: '2025-10-31',
    windowsDone: 3,
    windowsTotal: 31,
    currentWindow: { startDate: '2025-10-04', endDate: '2025-10-04' },
    ingestion: { ...noIngestion(), ingested: 42 },
    enrichment: { ...noEnrichment(), processed: 40, failedCount: 2 },
    controls: { paused: true, batchSize: 50, concurrency: 2 },
    startedAtUtc: '2025-11-01T10:00:00Z',
    reportsPerMinute: 12.5,
    etaUtc: '2025-11-01T11:00:00Z',
  });
  expect(markdown.split('\n')).toEqual([
    '### GoAudits backfill 2025-10-01..2025-10-31: **paused**',
    '- window 3 of 31 (now 2025-10-04..2025-10-04)',
    '- reports ingested 42, enriched 40, failed 2',
    '- rate 12.5 reports/min, ETA 2025-11-01T11:00:00Z',
    "- batch size 50, concurrency 2, the task queue's rate limit",
  ]);
});
