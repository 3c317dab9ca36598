import { parseScrape, total } from './prometheus-text';

const SCRAPE = `# HELP goaudits_api_calls_total HTTP requests sent to GoAudits
# TYPE goaudits_api_calls_total counter
goaudits_api_calls_total{endpoint="details",outcome="ok"} 12
goaudits_api_calls_total{endpoint="details",outcome="rate_limited"} 3
goaudits_api_calls_total{endpoint="summary",outcome="ok"} 2

goaudits_watermark_lag_seconds 5400.5
temporal_request{operation="Say \\"hi\\", please",service_name="temporal-core-sdk"} 1 1700000000000
`;

test('reads names, labels (escapes included) and values; comments and blank lines are left out', () => {
  const samples = parseScrape(SCRAPE);
  expect(samples).toHaveLength(5);
  expect(samples[0]).toEqual({ name: 'goaudits_api_calls_total', labels: { endpoint: 'details', outcome: 'ok' }, value: 12 });
  expect(samples[3]).toEqual({ name: 'goaudits_watermark_lag_seconds', labels: {}, value: 5400.5 });
  expect(samples[4].labels.operation).toBe('Say "hi", please');
});

test('totals the samples of a name whose labels match', () => {
  const samples = parseScrape(SCRAPE);
  expect(total(samples, 'goaudits_api_calls_total')).toBe(17);
  expect(total(samples, 'goaudits_api_calls_total', { endpoint: 'details' })).toBe(15);
  expect(total(samples, 'goaudits_api_calls_total', { outcome: 'ok' })).toBe(14);
  expect(total(samples, 'goaudits_reports_ingested_total')).toBe(0);
});
