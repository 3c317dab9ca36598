import { batchSlots, slotCeiling } from './concurrency';

test('auto: two batches, each following the latency', () => {
  expect(batchSlots('auto', true)).toBe(2);
  expect([slotCeiling('auto', 0), slotCeiling('auto', 1)]).toEqual(['auto', 'auto']);
});

test('a numeric ceiling is the most details calls in flight of the run, split over its batches', () => {
  expect(batchSlots(1, true)).toBe(1);
  expect(slotCeiling(1, 0)).toBe(1);
  expect(batchSlots(5, true)).toBe(2);
  expect([slotCeiling(5, 0), slotCeiling(5, 1)]).toEqual([3, 2]);
  expect([slotCeiling(16, 0), slotCeiling(16, 1)]).toEqual([8, 8]);
});

test('runs of earlier versions keep `concurrency` batches of one report at a time', () => {
  expect(batchSlots(3, false)).toBe(3);
  expect(batchSlots('auto', false)).toBe(2);
});
