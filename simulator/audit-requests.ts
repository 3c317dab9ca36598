/**
 * Which audits a control request acts on, and the requests that make the account drift from
 * what a pipeline stored: audits deleted, turned back to an open status, edited silently.
 */
import { z } from 'zod';

/** Exactly one of `ids` (these audits, in this order) and `count` (this many distinct eligible audits, picked at random). */
export const auditsShape = {
  ids: z.array(z.string().min(1)).min(1).optional(),
  count: z.number().int().min(1).optional(),
};

/** The refinement every request of `auditsShape` gets. */
export const exactlyOneOfIdsAndCount = [
  (request: { ids?: string[]; count?: number }) => (request.ids === undefined) !== (request.count === undefined),
  { message: 'give exactly one of ids and count' },
] as const;

/** Audits to delete: by ids any audit, by count Completed ones. */
export const deleteRequestSchema = z.strictObject(auditsShape).refine(...exactlyOneOfIdsAndCount);
export type DeleteRequest = z.input<typeof deleteRequestSchema>;

/** Completed audits to turn back to `status` (any but Completed; `In Progress` by default). */
export const reopenRequestSchema = z
  .strictObject({
    ...auditsShape,
    status: z
      .string()
      .min(1)
      .refine((status) => status !== 'Completed', { message: 'must not be Completed' })
      .default('In Progress'),
  })
  .refine(...exactlyOneOfIdsAndCount);
export type ReopenRequest = z.input<typeof reopenRequestSchema>;

/** Editable audits to edit silently: their answers (by default), their certificate, or both. */
export const silentEditRequestSchema = z
  .strictObject({ ...auditsShape, change: z.enum(['answers', 'certificate', 'both']).default('answers') })
  .refine(...exactlyOneOfIdsAndCount);
export type SilentEditRequest = z.input<typeof silentEditRequestSchema>;
