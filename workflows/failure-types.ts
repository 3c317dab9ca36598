/** Failure types shared by activities (which throw them) and workflows (which branch on them). */

/** GoAudits refused the token (401/403): never retried. */
export const AUTH_FAILURE = 'GoAuditsAuth';
/** GoAudits answered 429: retried after its `Retry-After`. */
export const RATE_LIMITED = 'GoAuditsRateLimited';
/** A run halted because of an auth failure. */
export const AUTH_HALT = 'GoAuditsAuthHalt';
