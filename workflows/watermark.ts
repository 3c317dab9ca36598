import { z } from 'zod';
import { setWorkflowOptions } from '@temporalio/workflow';
import { FAILING_VISIBLY } from './failing-visibly';
import { INGESTION_JOB } from '../shared/jobs';
import { pipeline } from './activities';
import { calendarDate, parseInput } from './inputs';

const watermarkInputSchema = z.strictObject({
  /** The new watermark, an ISO instant or a day (midnight UTC); null clears it. */
  set: z.union([calendarDate, z.iso.datetime({ offset: false }), z.null()]),
});
export type WatermarkInput = z.infer<typeof watermarkInputSchema>;

/**
 * Runbook step 1, rewinding the ingestion watermark, as a workflow: the worker writes it, so
 * the operator needs no SQL rights, and the history records who moved it, from what, to what.
 * (The runbook's MERGE keeps working on SQL Server too.)
 */
export async function watermarkWorkflow(rawInput: WatermarkInput): Promise<{ before: string | null; after: string | null }> {
  const { set } = parseInput(watermarkInputSchema, rawInput, 'watermark');
  const watermarkUtc = set === null ? null : set.length === 10 ? `${set}T00:00:00Z` : set;
  return pipeline.setWatermark({ job: INGESTION_JOB, watermarkUtc });
}

setWorkflowOptions(FAILING_VISIBLY, watermarkWorkflow);
