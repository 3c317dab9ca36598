import type { MetricMeter, MetricTags } from '@temporalio/common';
import { meteredPipeline, PIPELINE_SERIES } from './pipeline-metrics';

/** A meter that keeps what was recorded: `name{tags}` → counters summed, gauges set, histograms' values listed. */
function recordingMeter() {
  const values = new Map<string, number | number[]>();
  const key = (name: string, tags: MetricTags = {}) =>
    `${name}{${Object.entries(tags)
      .map(([tag, value]) => `${tag}=${value}`)
      .join(',')}}`;
  const meter = {
    createCounter: (name: string) => ({
      add: (value: number, tags?: MetricTags) => values.set(key(name, tags), ((values.get(key(name, tags)) as number) ?? 0) + value),
    }),
    createGauge: (name: string) => ({ set: (value: number, tags?: MetricTags) => values.set(key(name, tags), value) }),
    createHistogram: (name: string) => ({
      record: (value: number, tags?: MetricTags) =>
        values.set(key(name, tags), [...((values.get(key(name, tags)) as number[]) ?? []), value]),
    }),
  } as unknown as MetricMeter;
  return { meter, values: (prefix: string) => Object.fromEntries([...values].filter(([name]) => name.startsWith(prefix))) };
}

test('every counter starts at 0 for every endpoint and outcome, and the limit is set', () => {
  const { meter, values } = recordingMeter();
  meteredPipeline(meter, { rateLimitPerSecond: 10 });
  expect(Object.keys(values('goaudits_api_calls_total'))).toHaveLength(14);
  expect(values('goaudits_api_calls_total')['goaudits_api_calls_total{endpoint=details,outcome=rate_limited}']).toBe(0);
  expect(values('goaudits_reports_')).toEqual({
    'goaudits_reports_ingested_total{}': 0,
    'goaudits_reports_enriched_total{}': 0,
    'goaudits_reports_refreshed_total{}': 0,
    'goaudits_reports_failed_total{}': 0,
    'goaudits_reports_quarantined_total{}': 0,
  });
  expect(values('goaudits_summary_windows_total')).toEqual({ 'goaudits_summary_windows_total{}': 0 });
  expect(values('goaudits_api_rate_limit_per_second')).toEqual({ 'goaudits_api_rate_limit_per_second{}': 10 });
  // Unknown until the first call and the first window.
  expect(values('goaudits_auth_halted')).toEqual({});
  expect(values('goaudits_watermark_lag_seconds')).toEqual({});
});

test('calls count by endpoint and outcome, with their durations; lane waits in seconds', () => {
  const { meter, values } = recordingMeter();
  const metrics = meteredPipeline(meter, { rateLimitPerSecond: 10 });
  metrics.apiCall({ endpoint: 'details', outcome: 'ok', seconds: 0.2 });
  metrics.apiCall({ endpoint: 'details', outcome: 'rate_limited', seconds: 0.01 });
  metrics.apiCall({ endpoint: 'details', outcome: 'ok', seconds: 0.3 });
  metrics.rateLimited(1000);
  metrics.waited(1500);
  expect(values('goaudits_api_calls_total{endpoint=details,outcome=ok}')).toEqual({
    'goaudits_api_calls_total{endpoint=details,outcome=ok}': 2,
  });
  expect(values('goaudits_api_call_seconds')).toEqual({ 'goaudits_api_call_seconds{endpoint=details}': [0.2, 0.01, 0.3] });
  expect(values('goaudits_api_rate_limit_waits_total')).toEqual({ 'goaudits_api_rate_limit_waits_total{}': 1 });
  expect(values('goaudits_api_lane_wait_seconds')).toEqual({ 'goaudits_api_lane_wait_seconds{}': [1.5] });
});

test('reports count as the store confirmed them; a refreshed report is enriched too', () => {
  const { meter, values } = recordingMeter();
  const metrics = meteredPipeline(meter, { rateLimitPerSecond: 10 });
  metrics.summaryWindowSaved({ ingested: 4, watermarkUtc: null });
  metrics.summaryWindowSaved({ ingested: 3, watermarkUtc: null });
  metrics.reportEnriched({ processed: 1, refreshedCount: 1, answersInsertedCount: 12 });
  metrics.reportEnriched({ processed: 1 });
  metrics.reportEnriched({ failedCount: 1, quarantinedCount: 1 });
  metrics.reportEnriched({ enrichedElsewhereCount: 1 });
  expect(values('goaudits_reports_')).toEqual({
    'goaudits_reports_ingested_total{}': 7,
    'goaudits_reports_enriched_total{}': 2,
    'goaudits_reports_refreshed_total{}': 1,
    'goaudits_reports_failed_total{}': 1,
    'goaudits_reports_quarantined_total{}': 1,
  });
  expect(values('goaudits_summary_windows_total')).toEqual({ 'goaudits_summary_windows_total{}': 2 });
});

test('the auth gauge follows the lane; the watermark lag is now less the watermark a window left', () => {
  const { meter, values } = recordingMeter();
  const metrics = meteredPipeline(meter, { rateLimitPerSecond: 10 }, () => Date.parse('2026-11-27T12:00:00Z'));
  metrics.tokenRefused(true);
  expect(values('goaudits_auth_halted')).toEqual({ 'goaudits_auth_halted{}': 1 });
  metrics.tokenRefused(false);
  expect(values('goaudits_auth_halted')).toEqual({ 'goaudits_auth_halted{}': 0 });
  metrics.summaryWindowSaved({ ingested: 0, watermarkUtc: null });
  expect(values('goaudits_watermark_lag_seconds')).toEqual({});
  metrics.summaryWindowSaved({ ingested: 0, watermarkUtc: '2026-11-27T10:30:00Z' });
  expect(values('goaudits_watermark_lag_seconds')).toEqual({ 'goaudits_watermark_lag_seconds{}': 5400 });
  // Windows read ahead leave the watermark to the workflow, which moves it over those all saved.
  metrics.watermarkMoved('2026-11-27T11:00:00Z');
  expect(values('goaudits_watermark_lag_seconds')).toEqual({ 'goaudits_watermark_lag_seconds{}': 3600 });
});

test('the series names Prometheus scrapes: counters, gauges, and each histogram as buckets, sum and count', () => {
  expect(PIPELINE_SERIES).toContain('goaudits_api_calls_total');
  expect(PIPELINE_SERIES).toContain('goaudits_auth_halted');
  expect(PIPELINE_SERIES).toEqual(
    expect.arrayContaining(['goaudits_api_call_seconds_bucket', 'goaudits_api_call_seconds_sum', 'goaudits_api_call_seconds_count']),
  );
  expect(PIPELINE_SERIES).not.toContain('goaudits_api_call_seconds');
});

test('a reconcile that succeeded leaves its remaining differences by class and the time it succeeded', () => {
  const { meter, values } = recordingMeter();
  const metrics = meteredPipeline(meter, { rateLimitPerSecond: 10 }, () => Date.parse('2026-11-29T03:10:00Z'));
  expect(values('goaudits_reconcile_')).toEqual({});
  metrics.reconciled({ missing: 0, stale: 2, gone: 1, unenriched: 0, answersDiffer: 0 });
  expect(values('goaudits_reconcile_')).toEqual({
    'goaudits_reconcile_differences{class=missing}': 0,
    'goaudits_reconcile_differences{class=stale}': 2,
    'goaudits_reconcile_differences{class=gone}': 1,
    'goaudits_reconcile_differences{class=unenriched}': 0,
    'goaudits_reconcile_differences{class=answersDiffer}': 0,
    'goaudits_reconcile_last_success_timestamp_seconds{}': Date.parse('2026-11-29T03:10:00Z') / 1000,
  });
});

test('calls in flight and the latency seen, in seconds; a latency not known yet is left unset', () => {
  const { meter, values } = recordingMeter();
  const metrics = meteredPipeline(meter, { rateLimitPerSecond: 10 });
  metrics.latencySeen({ inFlight: 3, setbacks: 0 });
  expect(values('goaudits_api_')).toMatchObject({ 'goaudits_api_calls_in_flight{}': 3 });
  expect(values('goaudits_api_latency')).toEqual({});
  metrics.latencySeen({ inFlight: 7, p50Ms: 400, p95Ms: 950, setbacks: 0 });
  expect(values('goaudits_api_latency')).toEqual({
    'goaudits_api_latency_p50_seconds{}': 0.4,
    'goaudits_api_latency_p95_seconds{}': 0.95,
  });
  expect(values('goaudits_api_calls_in_flight')).toEqual({ 'goaudits_api_calls_in_flight{}': 7 });
});
