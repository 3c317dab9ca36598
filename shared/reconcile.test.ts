import { addClassCounts, addFirstIds, differenceTotal, FIRST_IDS, isSuspectDay, noDifferences, noIds } from './reconcile';

test('a day is suspect when at least 5 reports are stored and more than half of them are gone', () => {
  expect(isSuspectDay({ held: 5, gone: 3 })).toBe(true);
  expect(isSuspectDay({ held: 10, gone: 10 })).toBe(true);
  expect(isSuspectDay({ held: 10, gone: 5 })).toBe(false);
  // Few reports: a deletion of most of them is believable.
  expect(isSuspectDay({ held: 4, gone: 4 })).toBe(false);
  expect(isSuspectDay({ held: 0, gone: 0 })).toBe(false);
});

test('class counts add up field by field, and their total counts every class', () => {
  const sum = addClassCounts(addClassCounts(noDifferences(), { missing: 2, gone: 1 }), { missing: 1, answersDiffer: 4 });
  expect(sum).toEqual({ missing: 3, stale: 0, gone: 1, unenriched: 0, answersDiffer: 4 });
  expect(differenceTotal(sum)).toBe(8);
});

test('first ids keep the first 20 of each class, in the order they came', () => {
  const many = Array.from({ length: 30 }, (_, i) => `R${i}`);
  const ids = addFirstIds(addFirstIds(noIds(), { stale: ['A'] }), { stale: many, gone: ['G'] });
  expect(ids.stale).toHaveLength(FIRST_IDS);
  expect(ids.stale.slice(0, 2)).toEqual(['A', 'R0']);
  expect(ids.gone).toEqual(['G']);
  expect(ids.missing).toEqual([]);
});
