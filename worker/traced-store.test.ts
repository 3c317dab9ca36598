import { storeAttributes } from './traced-store';

test("a store call's attributes name its job, run, report, window and how many reports, nothing else", () => {
  expect(storeAttributes('GoAuditsIngestion')).toEqual({ 'goaudits.job': 'GoAuditsIngestion' });
  expect(storeAttributes('9f2c…token fingerprint')).toEqual({});
  expect(storeAttributes({ runId: 'r1', details: { reportId: 'A1', answers: [{ value: 'secret answer' }] } })).toEqual({
    'goaudits.job_run_id': 'r1',
    'goaudits.report_id': 'A1',
  });
  expect(storeAttributes({ startDate: '2025-10-01', endDate: '2025-10-02' })).toEqual({
    'goaudits.window.start': '2025-10-01',
    'goaudits.window.end': '2025-10-02',
  });
  expect(storeAttributes({ runId: 'r1', reports: [{}, {}], advanceWatermark: true })).toEqual({
    'goaudits.job_run_id': 'r1',
    'goaudits.reports': 2,
  });
  expect(storeAttributes({ day: '2025-10-03', error: 'HTTP 503' })).toEqual({ 'goaudits.day': '2025-10-03' });
  expect(storeAttributes({ runId: 'r1', job: 'GoAuditsEnrichment', correlationId: 'w/r' })).toEqual({
    'goaudits.job': 'GoAuditsEnrichment',
    'goaudits.job_run_id': 'r1',
  });
  expect(storeAttributes(50)).toEqual({});
});
