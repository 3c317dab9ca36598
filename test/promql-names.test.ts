import { metricNames } from './promql-names';

test('finds the metrics, not the functions, labels, ranges, keywords or numbers', () => {
  expect(metricNames('sum by (endpoint) (rate(goaudits_api_calls_total{outcome!="ok", job=~"a|b"}[$__rate_interval])) * 60')).toEqual([
    'goaudits_api_calls_total',
  ]);
  expect(metricNames('histogram_quantile(0.95, sum by (le) (rate(goaudits_api_call_seconds_bucket[5m]))) > 1e3')).toEqual([
    'goaudits_api_call_seconds_bucket',
  ]);
  expect(
    metricNames(`(sum(increase(a_total[30m])) > 0 or min_over_time(sum(temporal_worker_task_slots_used{worker_type="ActivityWorker"})[30m:1m]) > 0)
      unless (sum(increase(b_total[30m])) + sum(c_total offset 1h)) > 0`),
  ).toEqual(['a_total', 'temporal_worker_task_slots_used', 'b_total', 'c_total']);
  expect(metricNames('up{job="goaudits-worker"} == 0')).toEqual(['up']);
  expect(metricNames('temporal_worker_task_slots_used{namespace=~"$namespace"}')).toEqual(['temporal_worker_task_slots_used']);
});
