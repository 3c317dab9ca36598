import type { CallLaneOptions } from '../activities/goaudits/call-lane';
import type { Environment } from './config';

/** The call lane's settings: the limit GoAudits sets, the slack kept in each second, the long runs' share, the budget day. */
export function laneOptions(
  env: Pick<
    Environment,
    'GOAUDITS_RATE_LIMIT_PER_SECOND' | 'GOAUDITS_RATE_SAFETY_MS' | 'GOAUDITS_BACKFILL_MAX_SHARE' | 'GOAUDITS_BUDGET_DAY_MS'
  >,
): CallLaneOptions {
  return {
    ratePerSecond: env.GOAUDITS_RATE_LIMIT_PER_SECOND,
    safetyMs: env.GOAUDITS_RATE_SAFETY_MS,
    longRunShare: env.GOAUDITS_BACKFILL_MAX_SHARE,
    dayMs: env.GOAUDITS_BUDGET_DAY_MS,
  };
}
