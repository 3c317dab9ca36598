/** Failure types shared by activities (which throw them) and workflows (which branch on them). */

/** GoAudits refused the token (401/403): never retried. */
export const AUTH_FAILURE = 'GoAuditsAuth';
/** A run halted because of an auth failure. */
export const AUTH_HALT = 'GoAuditsAuthHalt';
/** A backfill whose `from` is after its `to` (or after today, without `to`). */
export const INVALID_RANGE = 'InvalidRange';
