import { metricsTelemetry, metricsUrl } from './metrics';

test('the exporter listens on METRICS_PORT on every interface, the pipeline histograms in seconds', () => {
  expect(metricsTelemetry({ METRICS_PORT: 9464 })).toEqual({
    metrics: {
      prometheus: {
        bindAddress: '0.0.0.0:9464',
        histogramBucketOverrides: {
          goaudits_api_call_seconds: expect.arrayContaining([0.05, 1, 30]),
          goaudits_api_lane_wait_seconds: expect.arrayContaining([0.05, 1, 30]),
        },
      },
    },
  });
  expect(metricsUrl({ METRICS_PORT: 9464 })).toBe('http://localhost:9464/metrics');
});

test('METRICS_PORT 0 turns the metrics off', () => {
  expect(metricsTelemetry({ METRICS_PORT: 0 })).toBeUndefined();
  expect(metricsUrl({ METRICS_PORT: 0 })).toBeUndefined();
});
