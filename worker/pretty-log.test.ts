import { prettyLine } from './pretty-log';

test('a record reads as the time of day, the level, the message and its context on one line', () => {
  expect(
    prettyLine({
      level: 'WARN',
      time: '2026-12-06T06:53:24.562Z',
      component: 'activity',
      namespace: 'default',
      taskQueue: 'goaudits-api',
      msg: 'report not enriched; a later sweep retries it',
      workflowId: 'goaudits-ingestion-manual-1',
      reportId: 'A0001',
      error: 'GoAudits has no Detail rows for this report',
      window: { startDate: '2025-10-01', endDate: '2025-10-01' },
    }),
  ).toBe(
    '06:53:24.562 WARN  report not enriched; a later sweep retries it  workflowId=goaudits-ingestion-manual-1 reportId=A0001 ' +
      'error="GoAudits has no Detail rows for this report" window={"startDate":"2025-10-01","endDate":"2025-10-01"}',
  );
});

test("an error's stack follows on lines of its own", () => {
  const text = prettyLine({
    level: 'ERROR',
    time: '2026-12-06T06:53:24.562Z',
    msg: 'worker stopped: boom',
    stack: 'Error: boom\n    at main (main.ts:1:1)',
  });
  expect(text.split('\n')).toEqual(['06:53:24.562 ERROR worker stopped: boom', '    Error: boom', '    at main (main.ts:1:1)']);
});
