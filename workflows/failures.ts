import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/workflow';
import { AUTH_FAILURE, AUTH_HALT } from '../shared/failure-types';

/** True when an activity (or a child's activity) failed because GoAudits refused the token. */
export function isAuthFailure(error: unknown): boolean {
  const cause = error instanceof ActivityFailure || error instanceof ChildWorkflowFailure ? error.cause : error;
  return cause instanceof ApplicationFailure && (cause.type === AUTH_FAILURE || cause.type === AUTH_HALT);
}

/** The innermost message of a failure chain (an activity's own words, not "Activity task failed"). */
export function rootMessage(error: unknown): string {
  let message = String(error);
  for (let cause = error; cause instanceof Error; cause = cause.cause) message = cause.message;
  return message;
}

export function authHalt(what: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `authFatal: ${what} halted because GoAudits refused the token (401/403). Rotate the token; the next run resumes where this one stopped.`,
    AUTH_HALT,
  );
}
