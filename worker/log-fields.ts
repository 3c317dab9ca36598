import { ENRICHMENT_JOB, INGESTION_JOB, type JobName } from '../shared/jobs';
import { GoAuditsError } from '../activities/goaudits/errors';

/**
 * The fields of one log line, in the pipeline's words, from the metadata the Temporal SDK and
 * the pipeline's own code attach to a message. Rules:
 * - the activity's task token never leaves the process (it lets anyone complete the activity);
 * - the SDK's names become the ones an operator queries by: `runId` is the workflow's run id
 *   (`workflowRunId` in activities), `activity` the activity's type, `job` the JobName whose
 *   `JobRunHistory` row the work counts in (an enrichment batch's: the enrichment's, in an ingestion too);
 * - an error becomes `errorType` (a Temporal failure's type; a GoAudits error's kind as the
 *   activities' failures name it, `GoAudits-transient`; else the error's name), `error` (its
 *   message) and `stack`, so a line stays one line and a query groups failures by type;
 * - a GoAudits error adds its `endpoint` and `statusCode`.
 */

/** Metadata keys that never reach a line. */
const DROPPED = new Set(['taskToken']);

/** SDK metadata keys and the fields they become. */
const RENAMED: Readonly<Record<string, string>> = {
  workflowRunId: 'runId',
  activityType: 'activity',
  sdkComponent: 'component',
};

/** The JobName a workflow type's runs write (their `JobRunHistory` rows, the summaries' `jobName`). */
const JOB_OF_WORKFLOW: Readonly<Record<string, JobName>> = {
  ingestionWorkflow: INGESTION_JOB,
  enrichmentWorkflow: ENRICHMENT_JOB,
};

export type LogFields = Record<string, unknown>;

export function logFields(meta: Readonly<Record<string, unknown>> | undefined): LogFields {
  const fields: LogFields = {};
  for (const [key, value] of Object.entries(meta ?? {})) {
    if (DROPPED.has(key) || value === undefined) continue;
    if (value instanceof Error) Object.assign(fields, errorFields(value));
    else fields[RENAMED[key] ?? key] = value;
  }
  const job = fields.activity === 'enrichBatch' ? ENRICHMENT_JOB : JOB_OF_WORKFLOW[String(fields.workflowType)];
  if (job && fields.job === undefined) fields.job = job;
  return fields;
}

/** An error as the fields of one line: its type, message and stack; a GoAudits error's endpoint and status. */
export function errorFields(error: unknown): LogFields {
  if (!(error instanceof Error)) return { error: String(error) };
  const { type, endpoint, status } = error as Error & { type?: unknown; endpoint?: unknown; status?: unknown };
  const kind = error instanceof GoAuditsError ? `GoAudits-${error.kind}` : undefined;
  return {
    errorType: typeof type === 'string' && type ? type : (kind ?? error.name),
    error: error.message,
    ...(typeof endpoint === 'string' ? { endpoint } : {}),
    ...(typeof status === 'number' ? { statusCode: status } : {}),
    ...(error.stack ? { stack: error.stack } : {}),
  };
}
