import type { ApiRetry } from '../../shared/settings';

/**
 * How long to wait before try `attempt + 1` of a GoAudits call: doubling from the initial
 * interval up to the maximum, and never less than the `Retry-After` GoAudits asked for.
 */
export function retryDelayMs(retry: ApiRetry, attempt: number, retryAfterMs = 0): number {
  const backoff = Math.min(retry.maximumIntervalMs, retry.initialIntervalMs * 2 ** (attempt - 1));
  return Math.max(backoff, retryAfterMs);
}
