import { reconcileEstimate } from './reconcile-estimate';
import type { ReconcileCursor } from './reconcile-cursor';
import type { PipelineSettings } from '../shared/settings';

const settings = { laneCallsPerSecond: 9.5 } as PipelineSettings;
const cursor = (over: Partial<ReconcileCursor>) =>
  ({
    from: '2025-10-01',
    to: '2025-10-30',
    today: '2025-11-12',
    daysTotal: 30,
    details: 0,
    controls: { paused: false, batchSize: 50, concurrency: 1 },
    ...over,
  }) as ReconcileCursor;

test('one summary call per day, the later days up to today in windows of 7, and the details sample per day', () => {
  const perDay = { '2025-10-01': 20, '2025-10-02': 3, '2025-10-30': 10 };
  expect(reconcileEstimate(cursor({ details: 5 }), settings, perDay)).toEqual({
    dryRun: true,
    kind: 'reconcile',
    from: '2025-10-01',
    to: '2025-10-30',
    days: 30,
    storedReports: 33,
    summaryCalls: 30,
    // 2025-10-31..2025-11-12: 13 days.
    laterSummaryCalls: 2,
    detailsCalls: 5 + 3 + 5,
    callsPerSecond: 9.5,
    estimatedSeconds: Math.ceil((30 + 2 + 13) / 9.5),
  });
  expect(reconcileEstimate(cursor({ details: 'all' }), settings, perDay).detailsCalls).toBe(33);
});

test("a range that ends today reads no later day; the run's own pace, when lower, prices it", () => {
  const estimate = reconcileEstimate(
    cursor({ to: '2025-11-12', controls: { paused: false, batchSize: 50, concurrency: 1, rateLimitPerSecond: 2 } }),
    settings,
    {},
  );
  expect(estimate).toMatchObject({ laterSummaryCalls: 0, detailsCalls: 0, callsPerSecond: 2, estimatedSeconds: 15 });
});
