import { ApplicationFailure } from '@temporalio/common';
import { enrichmentInputSchema, ingestionInputSchema, parseInput, reconcileInputSchema } from './inputs';

const failureOf = (run: () => unknown): ApplicationFailure => {
  try {
    run();
  } catch (error) {
    return error as ApplicationFailure;
  }
  throw new Error('expected a failure');
};

describe('workflow inputs', () => {
  test('no input is the hourly run', () => {
    expect(parseInput(ingestionInputSchema, undefined, 'ingestion')).toEqual({});
  });

  test('a backfill with a daily budget of GoAudits calls is accepted', () => {
    expect(parseInput(ingestionInputSchema, { from: '2025-10-01', maxCallsPerDay: 60 }, 'ingestion')).toEqual({
      from: '2025-10-01',
      maxCallsPerDay: 60,
    });
  });

  test('a backfill range with tuning is accepted', () => {
    expect(parseInput(ingestionInputSchema, { from: '2025-10-01', to: '2025-10-31', batchSize: 200 }, 'ingestion')).toEqual({
      from: '2025-10-01',
      to: '2025-10-31',
      batchSize: 200,
    });
  });

  test.each([
    [{ from: '2025-10-32' }, /from: not a calendar date/],
    [{ from: '01/10/2025' }, /from: expected a date as YYYY-MM-DD/],
    [{ from: '2025-10-09', to: '2025-10-01' }, /`from` is after `to`/],
    [{ form: '2025-10-01' }, /Unrecognized key.*"form"/],
    [{ concurrency: 0 }, /concurrency/],
    [{ concurrency: 65 }, /concurrency/],
    [{ concurrency: 'fast' }, /concurrency/],
    [{ from: '2025-10-01', maxCallsPerDay: 0 }, /maxCallsPerDay/],
    [{ from: '2025-10-01', maxCallsPerDay: 2.5 }, /maxCallsPerDay/],
  ])('%j is refused, naming the problem, as a non-retryable InvalidInput failure', (input, problem) => {
    const failure = failureOf(() => parseInput(ingestionInputSchema, input, 'ingestion'));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('InvalidInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^invalid ingestion input: /);
    expect(failure.message).toMatch(problem);
  });

  test('concurrency is a ceiling of calls in flight, or auto', () => {
    expect(parseInput(ingestionInputSchema, { concurrency: 'auto' }, 'ingestion')).toEqual({ concurrency: 'auto' });
    expect(parseInput(ingestionInputSchema, { concurrency: 64 }, 'ingestion')).toEqual({ concurrency: 64 });
  });

  test('enrichment takes report ids or a sweep limit', () => {
    expect(parseInput(enrichmentInputSchema, { reportIds: ['A1'] }, 'enrichment')).toEqual({ reportIds: ['A1'] });
    expect(failureOf(() => parseInput(enrichmentInputSchema, { reportIds: [''] }, 'enrichment')).message).toMatch(/reportIds\.0/);
  });

  test('a reconcile takes a range or the last days, a details level, and deletes only with repair', () => {
    const reconcile = (input: unknown) => parseInput(reconcileInputSchema, input, 'reconcile');
    expect(reconcile({ from: '2025-10-01', to: '2025-10-31', details: 'all', repair: true, deleteGone: true })).toMatchObject({
      details: 'all',
    });
    expect(reconcile({ lastDays: 30, details: 5, repair: true })).toEqual({ lastDays: 30, details: 5, repair: true });
    expect(failureOf(() => reconcile({})).message).toMatch(/give `from` \(and `to`\), or `lastDays`/);
    expect(failureOf(() => reconcile({ from: '2025-10-01', lastDays: 3 })).message).toMatch(/or `lastDays`/);
    expect(failureOf(() => reconcile({ from: '2025-10-01', deleteGone: true })).message).toMatch(/deleteGone: `deleteGone` needs `repair`/);
    expect(failureOf(() => reconcile({ from: '2025-10-01', details: 'some' })).message).toMatch(/details/);
  });
});
