import { retryDelayMs } from './retry-delay';

const retry = { initialIntervalMs: 1000, maximumIntervalMs: 8000, maximumAttempts: 5 };

test('doubles from the initial interval up to the maximum', () => {
  expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(retry, attempt))).toEqual([1000, 2000, 4000, 8000, 8000]);
});

test("waits at least what GoAudits' Retry-After asks", () => {
  expect(retryDelayMs(retry, 1, 3000)).toBe(3000);
  expect(retryDelayMs(retry, 4, 3000)).toBe(8000);
});
