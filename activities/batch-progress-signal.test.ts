import { throttledBatchProgress } from './batch-progress-signal';
import { addCounts, noEnrichment } from '../shared/counts';
import type { BatchProgressReport } from '../shared/batch-progress';

const processed = (n: number) => addCounts(noEnrichment(), { processed: n });

test('a batch signals its counts at most once per interval, the first one an interval after it began', () => {
  let nowMs = 1_000;
  const sent: BatchProgressReport[] = [];
  const report = throttledBatchProgress(
    'r-1',
    async (r) => void sent.push(r),
    () => nowMs,
    3_000,
  );
  for (let done = 1; done <= 10; done++) {
    nowMs += 1_000;
    report(processed(done));
  }
  expect(sent).toEqual([
    { batch: 'r-1', counts: processed(3) },
    { batch: 'r-1', counts: processed(6) },
    { batch: 'r-1', counts: processed(9) },
  ]);
});

test('a signal that fails is dropped and the next interval sends the counts again', async () => {
  let nowMs = 0;
  const tried: number[] = [];
  const report = throttledBatchProgress(
    'r-1',
    async ({ counts }) => {
      tried.push(counts.processed);
      if (tried.length === 1) throw new Error('workflow execution already completed');
    },
    () => nowMs,
    3_000,
  );
  nowMs = 3_000;
  report(processed(1));
  nowMs = 6_000;
  report(processed(2));
  await new Promise((resolve) => setImmediate(resolve));
  expect(tried).toEqual([1, 2]);
});
