import type { CallLaneOptions } from '../activities/goaudits/call-lane';
import type { Environment } from './config';

/** The call lane's settings: the limit GoAudits sets and the slack kept in each second. */
export function laneOptions(env: Pick<Environment, 'GOAUDITS_RATE_LIMIT_PER_SECOND' | 'GOAUDITS_RATE_SAFETY_MS'>): CallLaneOptions {
  return { ratePerSecond: env.GOAUDITS_RATE_LIMIT_PER_SECOND, safetyMs: env.GOAUDITS_RATE_SAFETY_MS };
}
