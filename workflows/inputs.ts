import { z } from 'zod';
import { ApplicationFailure } from '@temporalio/workflow';

/**
 * Workflow inputs, validated before any API call or write. Unknown fields are refused so a
 * typo (`form` for `from`) fails loudly instead of ingesting the wrong range.
 */

const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
const calendarDate = z
  .string()
  .regex(DATE_SHAPE, 'expected a date as YYYY-MM-DD')
  .refine((date) => {
    const time = Date.parse(`${date}T00:00:00Z`);
    return !DATE_SHAPE.test(date) || (!Number.isNaN(time) && new Date(time).toISOString().startsWith(date));
  }, 'not a calendar date');

const tuning = {
  batchSize: z.number().int().min(1).max(1000).optional(),
  concurrency: z.number().int().min(1).max(16).optional(),
};

export const ingestionInputSchema = z
  .strictObject({
    from: calendarDate.optional(),
    to: calendarDate.optional(),
    windowDays: z.number().int().min(1).max(366).optional(),
    ...tuning,
  })
  .refine((input) => !input.from || !input.to || input.from <= input.to, {
    message: '`from` is after `to`',
  });
export type IngestionInput = z.infer<typeof ingestionInputSchema>;

export const enrichmentInputSchema = z.strictObject({
  /** Enrich exactly these reports; without it, sweep the pending ones (today's selection rule). */
  reportIds: z.array(z.string().min(1)).optional(),
  limit: z.number().int().min(1).max(100_000).optional(),
  ...tuning,
});
export type EnrichmentInput = z.infer<typeof enrichmentInputSchema>;

/** Parses a workflow input or fails the workflow at once, naming every problem. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, workflow: string): T {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ` : '') + issue.message);
  throw ApplicationFailure.nonRetryable(`invalid ${workflow} input: ${problems.join('; ')}`, 'InvalidInput');
}
