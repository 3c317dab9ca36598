/** Bearer-token checks, with a scheduled revocation and rotation. */

export type Access = 'ok' | 'invalid' | 'revoked';

export interface TokenGuard {
  check(authorization: string | undefined): Access;
  /** Counts an admitted call toward the scheduled revocation. */
  admitted(): void;
  /** True once a revoked token has been refused, until the next rotation. */
  readonly refusedRevoked: boolean;
  /** A new valid token; lifts a revocation. */
  rotate(token: string): void;
  /** Revoke after `calls` more admitted calls; null or undefined disarms. */
  arm(calls: number | null | undefined): void;
}

export function createTokenGuard(token: string, revokeAfterCalls: number | null | undefined): TokenGuard {
  let current = token;
  let revokeAfter = revokeAfterCalls ?? undefined;
  let admittedCalls = 0;
  let revoked = false;
  let refusedRevoked = false;
  return {
    check(authorization) {
      if (revokeAfter !== undefined && admittedCalls >= revokeAfter) {
        revoked = true;
        revokeAfter = undefined;
      }
      if (revoked) {
        refusedRevoked = true;
        return 'revoked';
      }
      return /^Bearer (.+)$/i.exec(authorization ?? '')?.[1] === current ? 'ok' : 'invalid';
    },
    admitted: () => void (admittedCalls += 1),
    get refusedRevoked() {
      return refusedRevoked;
    },
    rotate(token) {
      current = token;
      revoked = false;
      refusedRevoked = false;
    },
    arm(calls) {
      revokeAfter = calls ?? undefined;
      admittedCalls = 0;
    },
  };
}
