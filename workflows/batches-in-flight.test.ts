import { BatchesInFlight } from './batches-in-flight';
import { addCounts, noEnrichment } from '../shared/counts';

const counts = (processed: number, failedCount = 0) => addCounts(noEnrichment(), { processed, failedCount });

test('the running batches count their latest reports; an ended batch counts no more, and a late signal for it is ignored', () => {
  const inFlight = new BatchesInFlight();
  inFlight.start('a');
  inFlight.start('b');
  expect(inFlight.report({ batch: 'a', counts: counts(3) })).toBe(true);
  expect(inFlight.report({ batch: 'a', counts: counts(5, 1) })).toBe(true);
  expect(inFlight.report({ batch: 'b', counts: counts(2) })).toBe(true);
  expect(inFlight.counts).toEqual(counts(7, 1));
  inFlight.end('a');
  expect(inFlight.report({ batch: 'a', counts: counts(9, 1) })).toBe(false);
  expect(inFlight.counts).toEqual(counts(2));
  inFlight.end('b');
  expect(inFlight.counts).toEqual(noEnrichment());
});
