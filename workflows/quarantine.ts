import { z } from 'zod';
import { setWorkflowOptions } from '@temporalio/workflow';
import type { QuarantinedReport } from '../shared/records';
import { FAILING_VISIBLY } from './failing-visibly';
import { pipeline } from './activities';
import { parseInput } from './inputs';

const quarantineInputSchema = z.strictObject({
  /** Put these quarantined reports (or `all`) back in the sweeps' way. */
  requeue: z.union([z.literal('all'), z.array(z.string().trim().min(1)).min(1)]).optional(),
  /** Most quarantined reports listed. */
  limit: z.number().int().min(1).max(10_000).optional(),
});
export type QuarantineInput = z.infer<typeof quarantineInputSchema>;

/**
 * The quarantine, for an operator: the reports whose enrichment failed GOAUDITS_QUARANTINE_AFTER
 * times (sweeps skip them), with their last errors; first requeues the named ones, or all, when
 * asked. The worker reads and writes, so the operator needs no SQL rights.
 */
export async function quarantineWorkflow(rawInput?: QuarantineInput): Promise<{ requeued: number; quarantined: QuarantinedReport[] }> {
  const { requeue, limit = 100 } = parseInput(quarantineInputSchema, rawInput, 'quarantine');
  return pipeline.quarantine({ requeue, limit });
}

setWorkflowOptions(FAILING_VISIBLY, quarantineWorkflow);
