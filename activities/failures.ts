import { ApplicationFailure } from '@temporalio/common';
import { GoAuditsError } from './goaudits/errors';
import { AUTH_FAILURE, RATE_LIMITED } from '../workflows/failure-types';

/**
 * Turns a GoAudits error into the Temporal failure that retries it the right way:
 * auth is never retried (the workflow halts), 429 waits for `Retry-After`, anything
 * else follows the activity's retry policy. Other errors pass through unchanged.
 */
export function asActivityFailure(error: unknown): unknown {
  if (!(error instanceof GoAuditsError)) return error;
  switch (error.kind) {
    case 'auth':
      return ApplicationFailure.create({ message: error.message, type: AUTH_FAILURE, nonRetryable: true });
    case 'rate-limit':
      return ApplicationFailure.create({
        message: error.message,
        type: RATE_LIMITED,
        nextRetryDelay: error.retryAfterMs,
      });
    default:
      return ApplicationFailure.create({ message: error.message, type: `GoAudits-${error.kind}` });
  }
}
