import { reconcileExitCode, reconcileTable, reconcileWorkflowId } from './reconcile';
import { succeeded } from './run-outcome';
import type { ReconcileResult } from '../workflows/reconcile';
import { noDifferences, noIds } from '../shared/reconcile';

const result: ReconcileResult = {
  runId: 'r1',
  from: '2025-10-01',
  to: '2025-10-30',
  details: 'none',
  identical: false,
  found: { missing: 1, stale: 0, gone: 9, unenriched: 0, answersDiffer: 0 },
  firstIds: { ...noIds(), missing: ['A1'] },
  differingKeys: {},
  suspectDays: ['2025-10-02'],
  days: [
    { day: '2025-10-01', listed: 10, held: 10, identical: 9, ...noDifferences(), missing: 1, gone: 1, suspect: false },
    { day: '2025-10-02', listed: 2, held: 10, identical: 2, ...noDifferences(), gone: 8, suspect: true },
  ],
  remaining: { ...noDifferences(), gone: 8 },
  remainingIds: noIds(),
  calls: { summary: 31, details: 0, detailsBusy: 0 },
  counts: {
    days: 30,
    listed: 300,
    held: 308,
    identical: 298,
    ...noDifferences(),
    suspectDays: 1,
    summaryCalls: 31,
    detailsCalls: 0,
    ingested: 1,
    refreshRequested: 0,
    deleted: 1,
    remaining: 8,
  },
};

test('the table: a row per day with a difference, suspect days marked, then what was found and what remains', () => {
  expect(reconcileTable(result).split('\n')).toEqual([
    'day         listed  held  identical  missing  stale  gone  unenriched  answersDiffer  suspect',
    '2025-10-01      10    10          9        1      0     1           0              0',
    '2025-10-02       2    10          2        0      0     8           0              0      yes',
    'found          300   308        298        1      0     9           0              0        1',
    'remaining                                  0      0     8           0              0',
    'details checked: none',
    'differences remain for 2025-10-01..2025-10-30',
  ]);
});

test('exit 0 when identical at the end, 3 when differences remain; the summary line counts them', () => {
  expect(reconcileExitCode(result)).toBe(3);
  expect(reconcileExitCode({ ...result, identical: true })).toBe(0);
  expect(succeeded('reconcile', result).line).toBe(
    'reconcile succeeded: 30 days, 10 differences found, 8 remain (suspect days 2025-10-02)',
  );
  expect(reconcileWorkflowId('2025-10-01', '2025-10-30')).toBe('goaudits-reconcile-2025-10-01-2025-10-30');
});
