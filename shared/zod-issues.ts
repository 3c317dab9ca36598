import type { z } from 'zod';

/** Every problem zod found, as `path: message` joined by `; ` (the path left out at the root). */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length ? `${issue.path.join('.')}: ` : '') + issue.message).join('; ');
}
