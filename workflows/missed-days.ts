import { setWorkflowOptions } from '@temporalio/workflow';
import type { MissedDay } from '../shared/records';
import { FAILING_VISIBLY } from './failing-visibly';
import { pipeline } from './activities';

/**
 * The summary days whose call still failed after its tries, with their failures and last
 * errors: the next hourly runs read each again until it goes through.
 */
export async function missedDaysWorkflow(): Promise<MissedDay[]> {
  return pipeline.missedDays();
}

setWorkflowOptions(FAILING_VISIBLY, missedDaysWorkflow);
