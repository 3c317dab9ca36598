import { drawLatencyMs } from './latency';
import { createRandom } from './random';

const draws = (options: { latencyMs: number; latencyP95Ms?: number | null; latencyJitterMs?: number }, n = 4000) => {
  const random = createRandom(7);
  return Array.from({ length: n }, () => drawLatencyMs({ latencyJitterMs: 0, latencyP95Ms: null, ...options }, random)).sort(
    (a, b) => a - b,
  );
};
const quantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))];

test('without a tail every answer takes the median', () => {
  expect(new Set(draws({ latencyMs: 400 }, 50))).toEqual(new Set([400]));
});

test('with a tail, the median and the 95th percentile are those asked for', () => {
  const sorted = draws({ latencyMs: 400, latencyP95Ms: 1200 });
  expect(quantile(sorted, 0.5)).toBeGreaterThan(370);
  expect(quantile(sorted, 0.5)).toBeLessThan(430);
  expect(quantile(sorted, 0.95)).toBeGreaterThan(1100);
  expect(quantile(sorted, 0.95)).toBeLessThan(1300);
  expect(sorted[0]).toBeGreaterThanOrEqual(0);
});

test('jitter adds up to its bound', () => {
  const sorted = draws({ latencyMs: 100, latencyJitterMs: 10 }, 500);
  expect(sorted[0]).toBeGreaterThanOrEqual(100);
  expect(sorted.at(-1)).toBeLessThanOrEqual(110);
  expect(sorted.at(-1)).toBeGreaterThan(105);
});
