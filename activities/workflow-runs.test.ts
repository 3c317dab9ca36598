import { workflowRunsOf } from './workflow-runs';

const RUN_1 = '0b5a8d3e-4c0e-4a4e-9f57-2f7d7f1f2a11';
const RUN_2 = '7c1d2e3f-1111-4222-8333-944455556666';

/** A client that knows the runs `runs[workflowId][runId]` (the last one is the latest) by status name. */
function clientOf(runs: Record<string, Record<string, string>>) {
  const describe = (workflowId: string, runId?: string) => {
    const ofWorkflow = runs[workflowId] ?? {};
    const id = runId ?? Object.keys(ofWorkflow).pop();
    const status = id && ofWorkflow[id];
    return status ? Promise.resolve({ workflowId, runId: id, status: { name: status } }) : Promise.reject(new Error('not found'));
  };
  return {
    workflow: {
      getHandle: (workflowId: string, runId?: string) => ({ describe: () => describe(workflowId, runId) }),
      list: ({ query }: { query: string }) =>
        (async function* () {
          const runId = /RunId = '(.+)'/.exec(query)?.[1];
          for (const [workflowId, ofWorkflow] of Object.entries(runs)) {
            if (runId && ofWorkflow[runId]) yield await describe(workflowId, runId);
          }
        })(),
    },
  } as never;
}

test('a run that ended says how; a running one, or one not found, says nothing', async () => {
  const runs = workflowRunsOf(clientOf({ 'wf-a': { [RUN_1]: 'TERMINATED' }, 'wf-b': { [RUN_2]: 'RUNNING' } }));
  expect(await runs.endedAs(`wf-a/${RUN_1}`)).toBe('TERMINATED');
  expect(await runs.endedAs(`wf-a/${RUN_1}/enrichment`)).toBe('TERMINATED');
  expect(await runs.endedAs(`wf-b/${RUN_2}`)).toBeUndefined();
  expect(await runs.endedAs(`wf-c/${RUN_1}`)).toBeUndefined();
  expect(await runs.endedAs('a legacy correlation id')).toBeUndefined();
});

test('a run that continued as new counts as its chain: running while the latest run runs', async () => {
  const going = workflowRunsOf(clientOf({ backfill: { [RUN_1]: 'CONTINUED_AS_NEW', [RUN_2]: 'RUNNING' } }));
  expect(await going.endedAs(`backfill/${RUN_1}`)).toBeUndefined();
  const timedOut = workflowRunsOf(clientOf({ backfill: { [RUN_1]: 'CONTINUED_AS_NEW', [RUN_2]: 'TIMED_OUT' } }));
  expect(await timedOut.endedAs(`backfill/${RUN_1}`)).toBe('TIMED_OUT');
});

test('a workflow id that was cut is found by its run id', async () => {
  const long = `backfill-${'x'.repeat(200)}`;
  const runs = workflowRunsOf(clientOf({ [long]: { [RUN_1]: 'TERMINATED' } }));
  expect(await runs.endedAs(`${long.slice(0, 50)}…/${RUN_1}`)).toBe('TERMINATED');
});
