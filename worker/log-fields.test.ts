import { ApplicationFailure } from '@temporalio/common';
import { GoAuditsError } from '../activities/goaudits/errors';
import { errorFields, logFields } from './log-fields';

test("an activity's SDK metadata: the task token dropped, the run's words for the rest", () => {
  const fields = logFields({
    sdkComponent: 'activity',
    taskToken: 'CiQ2ZTFh...',
    attempt: 2,
    activityType: 'enrichBatch',
    workflowId: 'goaudits-backfill-2025-10-01-2025-10-31',
    workflowRunId: '01a24a20',
    workflowType: 'ingestionWorkflow',
    reportId: 'A0001',
  });
  expect(fields).toEqual({
    component: 'activity',
    attempt: 2,
    activity: 'enrichBatch',
    workflowId: 'goaudits-backfill-2025-10-01-2025-10-31',
    runId: '01a24a20',
    workflowType: 'ingestionWorkflow',
    job: 'GoAuditsEnrichment',
    reportId: 'A0001',
  });
});

test("a workflow's lines name the job its workflow type writes; a job the caller names stays", () => {
  expect(logFields({ workflowType: 'ingestionWorkflow', runId: 'r' })).toEqual({
    workflowType: 'ingestionWorkflow',
    runId: 'r',
    job: 'GoAuditsIngestion',
  });
  expect(logFields({ workflowType: 'enrichmentWorkflow' }).job).toBe('GoAuditsEnrichment');
  expect(logFields({ workflowType: 'watermarkWorkflow' }).job).toBeUndefined();
  expect(logFields(undefined)).toEqual({});
});

test("an error becomes its type, message and stack; a failure's type wins over its name; a GoAudits error adds endpoint and status", () => {
  const failure = ApplicationFailure.create({ message: 'GoAudits details: HTTP 503 (transient)', type: 'GoAudits-transient' });
  expect(logFields({ error: failure })).toEqual({
    errorType: 'GoAudits-transient',
    error: 'GoAudits details: HTTP 503 (transient)',
    stack: expect.stringContaining('GoAudits details: HTTP 503'),
  });
  const refused = new GoAuditsError({ kind: 'auth', endpoint: 'summary', status: 403, message: 'HTTP 403 (auth)' });
  expect(errorFields(refused)).toMatchObject({ errorType: 'GoAudits-auth', endpoint: 'summary', statusCode: 403 });
  expect(errorFields('not an error')).toEqual({ error: 'not an error' });
});
