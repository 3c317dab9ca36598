import { noEnrichment } from '../shared/counts';
import { BatchReports } from './batch-progress';

test('the done prefix moves over reports ended out of order; the others are listed beyond it', () => {
  const reports = new BatchReports(['A', 'B', 'C', 'D']);
  reports.finish(2, { processed: 1 });
  reports.finish(3, { failedCount: 1 });
  expect(reports.progress()).toEqual({ done: 0, alsoDone: [2, 3], counts: { ...noEnrichment(), processed: 1, failedCount: 1 } });
  reports.finish(0, { processed: 1 });
  expect(reports.progress()).toMatchObject({ done: 1, alsoDone: [2, 3] });
  expect(reports.todo()).toEqual([1]);
  reports.finish(1, { processed: 1 });
  expect(reports.progress()).toEqual({ done: 4, counts: { ...noEnrichment(), processed: 3, failedCount: 1 } });
  expect(reports.todo()).toEqual([]);
});

test('resumes from a heartbeat of either shape: a prefix alone (one report at a time), or with positions beyond it', () => {
  expect(new BatchReports(['A', 'B', 'C'], { done: 1, counts: noEnrichment() }).todo()).toEqual([1, 2]);
  const resumed = new BatchReports(['A', 'B', 'C', 'D'], { done: 1, alsoDone: [3], counts: { ...noEnrichment(), processed: 2 } });
  expect(resumed.todo()).toEqual([1, 2]);
  expect(resumed.idAt(2)).toBe('C');
  expect(resumed.soFar.processed).toBe(2);
});

test('a report is counted once: finishing it twice is a bug, and says so', () => {
  const reports = new BatchReports(['A', 'A']);
  reports.finish(0, { processed: 1 });
  reports.finish(1, { processed: 1 });
  expect(() => reports.finish(1, { processed: 1 })).toThrow(/done already/);
  expect(reports.soFar.processed).toBe(2);
});
