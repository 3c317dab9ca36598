/** Zod parsing that fails with one readable error naming every bad field. */
import type { z } from 'zod';

export class ValidationError extends Error {
  override name = 'ValidationError';
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new ValidationError(`Invalid ${what}: ${problems.join('; ')}`);
}
