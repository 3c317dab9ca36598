import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure, WorkflowFailedError } from '@temporalio/client';
import { RetryState, TimeoutType } from '@temporalio/common';
import { noEnrichment, noIngestion } from '../shared/counts';
import type { Progress } from '../workflows/progress';
import { detachedLine, ended, failureReason, succeeded, worstExitCode } from './run-outcome';

const failed = (cause: Error) => new WorkflowFailedError('Workflow execution failed', cause, RetryState.NON_RETRYABLE_FAILURE);

describe('succeeded', () => {
  test('an ingestion or a backfill: reports ingested, enriched, failed, refreshed, and its windows of those planned', () => {
    const result = {
      runId: 'r',
      counts: { ...noIngestion(), ingested: 268, pages: 14 },
      enrichment: { ...noEnrichment(), selected: 268, processed: 251, failedCount: 17 },
      windows: 14,
    };
    expect(succeeded('ingestion', result, { windowsTotal: 14 } as Progress)).toEqual({
      exitCode: 0,
      line: 'ingestion succeeded: 268 ingested, 251 enriched, 17 failed, 0 refreshed (windows 14/14)',
      result,
    });
    const missed = { ...result, counts: { ...result.counts, missedDays: 2 } };
    expect(succeeded('backfill', missed).line).toBe(
      'backfill succeeded: 268 ingested, 251 enriched, 17 failed, 0 refreshed (windows 14/14, 2 days missed)',
    );
  });

  test('a sweep: reports enriched, failed and refreshed of those it selected', () => {
    const result = { runId: 'r', counts: { ...noEnrichment(), selected: 50, processed: 46, failedCount: 1, refreshedCount: 3 } };
    expect(succeeded('sweep', result).line).toBe('sweep succeeded: 46 enriched, 1 failed, 3 refreshed of 50 selected');
  });
});

describe('ended', () => {
  test('a failed run exits 1 and names its failure type and message', () => {
    const halt = ApplicationFailure.nonRetryable(
      'authFatal: GoAuditsIngestion halted because GoAudits refused the token (401/403).',
      'GoAuditsAuthHalt',
    );
    expect(ended('ingestion', failed(halt))).toEqual({
      exitCode: 1,
      line: 'ingestion failed: GoAuditsAuthHalt: authFatal: GoAuditsIngestion halted because GoAudits refused the token (401/403).',
    });
  });

  test('a cancelled, terminated or timed-out run exits 2', () => {
    expect(ended('backfill', failed(new CancelledFailure('cancelled')))).toEqual({ exitCode: 2, line: 'backfill was cancelled' });
    expect(ended('backfill', failed(new TerminatedFailure('terminated')))).toEqual({ exitCode: 2, line: 'backfill was terminated' });
    expect(ended('sweep', failed(new TimeoutFailure('timed out', undefined, TimeoutType.START_TO_CLOSE)))).toEqual({
      exitCode: 2,
      line: 'sweep timed out',
    });
  });

  test("an error that is not the run's end (the connection lost) exits 1 and says so", () => {
    expect(ended('sweep', new Error('14 UNAVAILABLE: connection refused'))).toEqual({
      exitCode: 1,
      line: 'sweep: lost track of the run: 14 UNAVAILABLE: connection refused',
    });
  });
});

test('failureReason: the first typed failure as type and message, else every message of the chain', () => {
  const invalid = ApplicationFailure.nonRetryable('invalid backfill input: `from` is after `to`', 'InvalidInput');
  expect(failureReason(new Error('Workflow Update failed', { cause: invalid }))).toBe(
    'InvalidInput: invalid backfill input: `from` is after `to`',
  );
  expect(failureReason(new Error('outer', { cause: new Error('inner') }))).toBe('outer: inner');
  const refused = ApplicationFailure.create({ message: 'invalid tuning: concurrency: Too small', type: 'Error' });
  expect(failureReason(new Error('Workflow Update failed', { cause: refused }))).toBe(
    'Workflow Update failed: invalid tuning: concurrency: Too small',
  );
  expect(failureReason('plain')).toBe('plain');
});

test('worstExitCode: a failure outweighs a stop, which outweighs success', () => {
  expect(worstExitCode([])).toBe(0);
  expect(worstExitCode([0, 2, 0])).toBe(2);
  expect(worstExitCode([2, 1, 0])).toBe(1);
});

test('detachedLine says the run goes on and how to cancel it', () => {
  expect(detachedLine('goaudits-backfill-2025-10-01-2025-10-05')).toBe(
    'detached from goaudits-backfill-2025-10-01-2025-10-05: the run goes on (npm run pipeline -- status shows it); to cancel it: npm run pipeline -- cancel goaudits-backfill-2025-10-01-2025-10-05',
  );
});
