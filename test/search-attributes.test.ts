import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureSearchAttributes } from '../worker/search-attributes';
import { temporalCli } from '../worker/temporal-cli';

test('the pipeline search attributes are added to a namespace that lacks them, once', async () => {
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: temporalCli(), ip: '127.0.0.1' } });
  try {
    const added = await ensureSearchAttributes(env.connection, 'default');
    expect(added.sort()).toEqual(['GoAuditsReportsIngested', 'GoAuditsRunKind', 'GoAuditsWindowsDone', 'GoAuditsWindowsTotal']);
    expect(await ensureSearchAttributes(env.connection, 'default')).toEqual([]);
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(customAttributes ?? {})).toEqual(expect.arrayContaining(added));
  } finally {
    await env.teardown();
  }
}, 60_000);
