import type { WorkflowDefinitionOptions } from '@temporalio/common';

/**
 * Every pipeline workflow's definition options: an error its own code throws (a bug, a setting no
 * check caught) fails the run with that error's message, where the Web UI and the client show it,
 * instead of failing its workflow task again and again while the run looks stuck. Only a
 * non-determinism error still fails the task, so that fixed code can take the run over.
 */
export const FAILING_VISIBLY: WorkflowDefinitionOptions = { failureExceptionTypes: [Error] };
