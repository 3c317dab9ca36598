import { z } from 'zod';
import { ApplicationFailure } from '@temporalio/workflow';
import { tuningSchema } from './controls';
import type { IngestionCursor } from './ingestion-cursor';
import type { ReconcileCursor } from './reconcile-cursor';
import { describeIssues } from '../shared/zod-issues';

/**
 * Workflow inputs, validated before any API call or write. Unknown fields are refused so a
 * typo (`form` for `from`) fails loudly instead of ingesting the wrong range.
 */

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
/** A real calendar day, YYYY-MM-DD. (zod's own `z.iso.date()` refuses every day inside the workflow bundle.) */
export const calendarDate = z
  .string()
  .regex(DATE_SHAPE, 'expected a date as YYYY-MM-DD')
  .refine((date) => {
    const time = Date.parse(`${date}T00:00:00Z`);
    return !DATE_SHAPE.test(date) || (!Number.isNaN(time) && new Date(time).toISOString().startsWith(date));
  }, 'not a calendar date');

const tuning = tuningSchema.shape;

export const ingestionInputSchema = z
  .strictObject({
    /** A one-off range (a backfill): ingests from this day and leaves the watermark alone. */
    from: calendarDate.optional(),
    to: calendarDate.optional(),
    windowDays: z.number().int().min(1).max(366).optional(),
    /** With `from`: fetch again the details of every audit in the range, stored or not, replacing what is stored. */
    refresh: z.boolean().optional(),
    ...tuning,
    /** Plan and estimate only: no API call, no write. */
    dryRun: z.boolean().optional(),
    /** Continue as new once history has this many events (tests lower it). */
    continueAsNewAfterEvents: z.number().int().min(10).max(50_000).optional(),
    /** Where a run that continued as new goes on: set by the workflow itself, not by operators. */
    cursor: z.custom<IngestionCursor>((value) => typeof value === 'object' && value !== null).optional(),
  })
  .refine((input) => !input.from || !input.to || input.from <= input.to, {
    message: '`from` is after `to`',
  })
  .refine((input) => !input.refresh || input.from, {
    message: "`refresh` needs `from`: it refreshes a backfill's range",
    path: ['refresh'],
  });
export type IngestionInput = z.infer<typeof ingestionInputSchema>;

export const enrichmentInputSchema = z.strictObject({
  /** Enrich exactly these reports; without it, sweep the pending ones (the store's selection rule). */
  reportIds: z.array(z.string().min(1)).optional(),
  limit: z.number().int().min(1).max(100_000).optional(),
  ...tuning,
  paused: z.boolean().optional(),
});
export type EnrichmentInput = z.infer<typeof enrichmentInputSchema>;

export const reconcileInputSchema = z
  .strictObject({
    /** The range, both days included, by the UTC day of each report's latest `Updated_On`. */
    from: calendarDate.optional(),
    to: calendarDate.optional(),
    /** Instead of `from`/`to`: the this many days before today (the schedule's range). */
    lastDays: z.number().int().min(1).max(3660).optional(),
    /** Details calls per day: for a sample of this many stored reports of each day, or `all`; none by default. */
    details: z.union([z.number().int().min(0).max(100_000), z.literal('all')]).optional(),
    /** Mend what differs through the normal windows and batches, then check the affected days again. */
    repair: z.boolean().optional(),
    /** With `repair`: delete `gone` reports (never on a suspect day), archived in GoAuditsDeletedReports. */
    deleteGone: z.boolean().optional(),
    ...tuning,
    /** The calls it would make, and their time; no call, no write. */
    dryRun: z.boolean().optional(),
    continueAsNewAfterEvents: z.number().int().min(10).max(50_000).optional(),
    /** Where a reconcile that continued as new goes on: set by the workflow itself. */
    cursor: z.custom<ReconcileCursor>((value) => typeof value === 'object' && value !== null).optional(),
  })
  .refine((input) => input.cursor || (input.lastDays === undefined) !== (input.from === undefined), {
    message: 'give `from` (and `to`), or `lastDays`',
  })
  .refine((input) => input.lastDays === undefined || input.to === undefined, { message: '`to` goes with `from`, not with `lastDays`' })
  .refine((input) => !input.from || !input.to || input.from <= input.to, { message: '`from` is after `to`' })
  .refine((input) => !input.deleteGone || input.repair, { message: '`deleteGone` needs `repair`', path: ['deleteGone'] });
export type ReconcileInput = z.infer<typeof reconcileInputSchema>;

/** Parses a workflow input or fails the workflow at once, naming every problem. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, workflow: string): T {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw ApplicationFailure.nonRetryable(`invalid ${workflow} input: ${describeIssues(parsed.error)}`, 'InvalidInput');
}
