import { ApplicationFailure } from '@temporalio/common';
import { GoAuditsError } from './goaudits/errors';
import { AUTH_FAILURE } from '../shared/failure-types';
import { LANE_WAIT } from '../shared/lane-caller';
import { LaneWait } from './goaudits/lane-wait';

/**
 * Turns a GoAudits error into the Temporal failure that retries it the right way:
 * auth is never retried (the workflow halts), anything else follows the activity's retry
 * policy (a 429 never gets here: the call lane waits it out). The lane sending the run away
 * (budget, quota) is never retried either: the workflow waits, with the wait in the details.
 * Other errors pass through unchanged.
 */
export function asActivityFailure(error: unknown): unknown {
  if (error instanceof LaneWait)
    return ApplicationFailure.create({ message: error.message, type: LANE_WAIT, nonRetryable: true, details: [error.info] });
  if (!(error instanceof GoAuditsError)) return error;
  if (error.kind === 'auth') return ApplicationFailure.create({ message: error.message, type: AUTH_FAILURE, nonRetryable: true });
  return ApplicationFailure.create({ message: error.message, type: `GoAudits-${error.kind}`, nextRetryDelay: error.retryAfterMs });
}

/** Calls GoAudits and reads its answer; errors become the Temporal failures that retry them correctly. */
export async function callingGoAudits<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asActivityFailure(error);
  }
}
