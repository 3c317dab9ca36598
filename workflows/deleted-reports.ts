import { z } from 'zod';
import { setWorkflowOptions } from '@temporalio/workflow';
import { FAILING_VISIBLY } from './failing-visibly';
import { pipeline } from './activities';
import { parseInput } from './inputs';

const deletedReportsInputSchema = z.strictObject({
  /** Most deleted reports listed. */
  limit: z.number().int().min(1).max(10_000).optional(),
});
export type DeletedReportsInput = z.infer<typeof deletedReportsInputSchema>;

/** The reports reconciles deleted because GoAudits no longer lists them (GoAuditsDeletedReports), latest first, for an operator. */
export async function deletedReportsWorkflow(rawInput?: DeletedReportsInput) {
  const { limit = 100 } = parseInput(deletedReportsInputSchema, rawInput, 'deleted reports');
  return pipeline.deletedReports(limit);
}

setWorkflowOptions(FAILING_VISIBLY, deletedReportsWorkflow);
