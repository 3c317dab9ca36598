import type { MetricMeter } from '@temporalio/common';
import type { EnrichmentCounts } from '../shared/counts';
import { DIFFERENCE_CLASSES, type ClassCounts } from '../shared/reconcile';
import { API_CALL_OUTCOMES, type ApiCall } from './goaudits/call-outcome';
import type { LaneEvents } from './goaudits/call-lane';
import type { GoAuditsEndpoint } from './goaudits/errors';
import type { LatencySnapshot } from './goaudits/call-latency';

/**
 * The pipeline's own metrics, `goaudits_*`, recorded on the SDK runtime's meter so the worker's
 * Prometheus endpoint serves them beside the SDK's `temporal_*` (worker/metrics.ts). They are
 * counted where they are sure: every HTTP request in the GoAudits client, the lane's waits and
 * refusals in the lane, reports as the store confirms them in the activities.
 *
 * The runtime's meter is the process's, not an activity's: the counters exist at 0 from the
 * worker's start (so `increase()` sees the first quarantined report or 429, which a series born
 * at 1 would hide), and a gauge is one series per process whichever activity sets it.
 */

export const COUNTERS = {
  apiCalls: 'goaudits_api_calls_total',
  rateLimitWaits: 'goaudits_api_rate_limit_waits_total',
  windows: 'goaudits_summary_windows_total',
  ingested: 'goaudits_reports_ingested_total',
  enriched: 'goaudits_reports_enriched_total',
  refreshed: 'goaudits_reports_refreshed_total',
  failed: 'goaudits_reports_failed_total',
  quarantined: 'goaudits_reports_quarantined_total',
} as const;

export const HISTOGRAMS = {
  apiCallSeconds: 'goaudits_api_call_seconds',
  laneWaitSeconds: 'goaudits_api_lane_wait_seconds',
} as const;

export const GAUGES = {
  rateLimit: 'goaudits_api_rate_limit_per_second',
  watermarkLag: 'goaudits_watermark_lag_seconds',
  authHalted: 'goaudits_auth_halted',
  reconcileDifferences: 'goaudits_reconcile_differences',
  reconcileLastSuccess: 'goaudits_reconcile_last_success_timestamp_seconds',
  quotaWaitUntil: 'goaudits_api_quota_wait_until_seconds',
  callsInFlight: 'goaudits_api_calls_in_flight',
  latencyP50: 'goaudits_api_latency_p50_seconds',
  latencyP95: 'goaudits_api_latency_p95_seconds',
} as const;

/** Bucket bounds, in seconds, of both histograms (the exporter's default buckets are milliseconds'). */
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** For the Prometheus exporter's `histogramBucketOverrides`. */
export const HISTOGRAM_BUCKETS: Record<string, number[]> = Object.fromEntries(
  Object.values(HISTOGRAMS).map((name) => [name, SECONDS_BUCKETS]),
);

/** Every series name the worker exports for the pipeline, as Prometheus scrapes them. */
export const PIPELINE_SERIES: readonly string[] = [
  ...Object.values(COUNTERS),
  ...Object.values(GAUGES),
  ...Object.values(HISTOGRAMS).flatMap((name) => [`${name}_bucket`, `${name}_sum`, `${name}_count`]),
];

const ENDPOINTS: readonly GoAuditsEndpoint[] = ['summary', 'details'];

export interface PipelineMetrics extends Required<Pick<LaneEvents, 'rateLimited' | 'waited' | 'tokenRefused' | 'quotaWait'>> {
  /** One HTTP request sent to GoAudits, once it has ended. */
  apiCall: (call: ApiCall) => void;
  /** A summary window's transaction committed: the reports it stored for the first time, and the watermark it left. */
  summaryWindowSaved(window: { ingested: number; watermarkUtc: string | null }): void;
  /** The workflow moved the watermark over windows read ahead, all saved: the watermark it left. */
  watermarkMoved(watermarkUtc: string | null): void;
  /** How one report's enrichment ended, as the batch counted it (enriched, refreshed, failed, quarantined). */
  reportEnriched(report: Partial<EnrichmentCounts>): void;
  /** A reconcile succeeded: the differences it left, by class (0 everywhere: the range is identical), and when. */
  reconciled(remaining: ClassCounts): void;
  /** The process's calls in flight and recent latency changed (activities/goaudits/call-latency.ts). */
  latencySeen(snapshot: LatencySnapshot): void;
}

/**
 * The pipeline's metrics on `meter`: the counters start at 0 (every endpoint and outcome),
 * `goaudits_api_rate_limit_per_second` is the configured limit. The gauges of the lane's refusal
 * and of the watermark have no value until the first call and the first window.
 */
export function meteredPipeline(
  meter: MetricMeter,
  { rateLimitPerSecond }: { rateLimitPerSecond: number },
  clock: () => number = Date.now,
): PipelineMetrics {
  const apiCalls = meter.createCounter(
    COUNTERS.apiCalls,
    '',
    'HTTP requests sent to GoAudits, by endpoint and outcome (a 429 is one, outcome rate_limited)',
  );
  const rateLimitWaits = meter.createCounter(COUNTERS.rateLimitWaits, '', 'Times a 429 held the call lane for its Retry-After');
  const windows = meter.createCounter(COUNTERS.windows, '', 'Summary windows read and saved (one summary call each, retries aside)');
  const reports = {
    ingested: meter.createCounter(COUNTERS.ingested, '', 'Reports stored for the first time by a summary window'),
    enriched: meter.createCounter(COUNTERS.enriched, '', 'Reports whose details were stored (refreshed ones included)'),
    refreshed: meter.createCounter(
      COUNTERS.refreshed,
      '',
      'Stored reports whose answers and certificate were replaced by their latest details',
    ),
    failed: meter.createCounter(COUNTERS.failed, '', 'Reports an enrichment could not store (retried by a later sweep until quarantined)'),
    quarantined: meter.createCounter(COUNTERS.quarantined, '', 'Reports quarantined: sweeps skip them until requeue'),
  };
  const callSeconds = meter.createHistogram(HISTOGRAMS.apiCallSeconds, 'float', '', 'Duration of HTTP requests to GoAudits, by endpoint');
  const laneWaitSeconds = meter.createHistogram(
    HISTOGRAMS.laneWaitSeconds,
    'float',
    '',
    'Time a GoAudits call waited for its turn in the call lane, 429 holds included',
  );
  const watermarkLag = meter.createGauge(
    GAUGES.watermarkLag,
    'float',
    '',
    'Now less the ingestion watermark, when a summary window was last saved',
  );
  const authHalted = meter.createGauge(
    GAUGES.authHalted,
    'int',
    '',
    '1 while GoAudits refuses the token (the lane holds its fingerprint), 0 once a call goes through',
  );

  const reconcileDifferences = meter.createGauge(
    GAUGES.reconcileDifferences,
    'int',
    '',
    'Differences between the tables and GoAudits the last successful reconcile left, by class',
  );
  const reconcileLastSuccess = meter.createGauge(
    GAUGES.reconcileLastSuccess,
    'float',
    '',
    'When a reconcile last succeeded (Unix time, seconds)',
  );

  const quotaWaitUntil = meter.createGauge(
    GAUGES.quotaWaitUntil,
    'float',
    '',
    'When (Unix seconds) the last quota wait GoAudits asked for (a long 429) ends: the runs wait until then',
  );

  const callsInFlight = meter.createGauge(GAUGES.callsInFlight, 'int', '', 'HTTP requests to GoAudits under way in this worker process');
  const latencyP50 = meter.createGauge(
    GAUGES.latencyP50,
    'float',
    '',
    'Median latency of the recent answered GoAudits calls of this process',
  );
  const latencyP95 = meter.createGauge(
    GAUGES.latencyP95,
    'float',
    '',
    '95th percentile latency of the recent answered GoAudits calls of this process (what its concurrency follows)',
  );

  const lagBehind = (watermarkUtc: string | null) => {
    if (watermarkUtc !== null) watermarkLag.set(Math.max(0, (clock() - Date.parse(watermarkUtc)) / 1000));
  };

  for (const endpoint of ENDPOINTS) for (const outcome of API_CALL_OUTCOMES) apiCalls.add(0, { endpoint, outcome });
  rateLimitWaits.add(0);
  windows.add(0);
  for (const counter of Object.values(reports)) counter.add(0);
  meter
    .createGauge(GAUGES.rateLimit, 'float', '', 'GOAUDITS_RATE_LIMIT_PER_SECOND: most GoAudits calls in any second')
    .set(rateLimitPerSecond);

  return {
    apiCall({ endpoint, outcome, seconds }) {
      apiCalls.add(1, { endpoint, outcome });
      callSeconds.record(seconds, { endpoint });
    },
    rateLimited: () => rateLimitWaits.add(1),
    waited: (ms) => laneWaitSeconds.record(ms / 1000),
    tokenRefused: (refused) => authHalted.set(Number(refused)),
    quotaWait: (untilMs) => quotaWaitUntil.set(untilMs / 1000),
    summaryWindowSaved({ ingested, watermarkUtc }) {
      windows.add(1);
      reports.ingested.add(ingested);
      lagBehind(watermarkUtc);
    },
    watermarkMoved: lagBehind,
    latencySeen({ inFlight, p50Ms, p95Ms }) {
      callsInFlight.set(inFlight);
      if (p50Ms !== undefined) latencyP50.set(p50Ms / 1000);
      if (p95Ms !== undefined) latencyP95.set(p95Ms / 1000);
    },
    reportEnriched(report) {
      reports.enriched.add(report.processed ?? 0);
      reports.refreshed.add(report.refreshedCount ?? 0);
      reports.failed.add(report.failedCount ?? 0);
      reports.quarantined.add(report.quarantinedCount ?? 0);
    },
    reconciled(remaining) {
      for (const name of DIFFERENCE_CLASSES) reconcileDifferences.set(remaining[name], { class: name });
      reconcileLastSuccess.set(clock() / 1000);
    },
  };
}
