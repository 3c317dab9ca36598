import { readEnvironment } from './config';

test("defaults are today's where today has one", () => {
  const env = readEnvironment({});
  expect(env).toMatchObject({
    GOAUDITS_STATUS: 'Completed',
    GOAUDITS_ENRICH_BATCH_SIZE: 50,
    GOAUDITS_ENRICH_CONCURRENCY: 'auto',
    GOAUDITS_INGEST_CRON: '0 * * * *',
    GOAUDITS_ENRICH_CRON: '15 * * * *',
    GOAUDITS_RECONCILE_CRON: '0 3 * * 0',
    GOAUDITS_RECONCILE_DAYS: 30,
    GOAUDITS_RECONCILE_DETAILS: 5,
    GOAUDITS_WINDOW_DAYS: 1,
  });
  expect(env.TEMPORAL_ADDRESS).toBeUndefined();
});

test('blank variables count as unset, numbers are read from text', () => {
  const env = readEnvironment({ GOAUDITS_START_DATE: ' ', GOAUDITS_ENRICH_BATCH_SIZE: '200' });
  expect(env.GOAUDITS_START_DATE).toBeUndefined();
  expect(env.GOAUDITS_ENRICH_BATCH_SIZE).toBe(200);
});

test('the enrichment concurrency is a ceiling of calls in flight, or auto', () => {
  expect(readEnvironment({ GOAUDITS_ENRICH_CONCURRENCY: '12' }).GOAUDITS_ENRICH_CONCURRENCY).toBe(12);
  expect(readEnvironment({ GOAUDITS_ENRICH_CONCURRENCY: 'auto' }).GOAUDITS_ENRICH_CONCURRENCY).toBe('auto');
  expect(readEnvironment({ GOAUDITS_ENRICH_CONCURRENCY: ' ' }).GOAUDITS_ENRICH_CONCURRENCY).toBe('auto');
  expect(() => readEnvironment({ GOAUDITS_ENRICH_CONCURRENCY: '0' })).toThrow(/GOAUDITS_ENRICH_CONCURRENCY/);
  expect(() => readEnvironment({ GOAUDITS_ENRICH_CONCURRENCY: 'fast' })).toThrow(/GOAUDITS_ENRICH_CONCURRENCY/);
});

test("the long runs' share of the lane is over 0 and at most 1 (0.8 by default); a backfill budget is unset by default, or whole calls", () => {
  const defaults = readEnvironment({});
  expect(defaults).toMatchObject({ GOAUDITS_BACKFILL_MAX_SHARE: 0.8, GOAUDITS_BUDGET_DAY_MS: 86_400_000 });
  expect(defaults.GOAUDITS_BACKFILL_MAX_CALLS_PER_DAY).toBeUndefined();
  expect(readEnvironment({ GOAUDITS_BACKFILL_MAX_SHARE: '1', GOAUDITS_BACKFILL_MAX_CALLS_PER_DAY: '5000' })).toMatchObject({
    GOAUDITS_BACKFILL_MAX_SHARE: 1,
    GOAUDITS_BACKFILL_MAX_CALLS_PER_DAY: 5000,
  });
  for (const share of ['0', '1.5', 'most'])
    expect(() => readEnvironment({ GOAUDITS_BACKFILL_MAX_SHARE: share })).toThrow(/GOAUDITS_BACKFILL_MAX_SHARE/);
  expect(() => readEnvironment({ GOAUDITS_BACKFILL_MAX_CALLS_PER_DAY: '0' })).toThrow(/GOAUDITS_BACKFILL_MAX_CALLS_PER_DAY/);
});

test('bad values are refused, naming each variable', () => {
  const bad = () =>
    readEnvironment({ GOAUDITS_ENRICH_BATCH_SIZE: 'lots', GOAUDITS_START_DATE: '01/10/2025', GOAUDITS_AUDITSUMMARY_URL: 'nope' });
  for (const name of ['GOAUDITS_ENRICH_BATCH_SIZE', 'GOAUDITS_START_DATE', 'GOAUDITS_AUDITSUMMARY_URL']) {
    expect(bad).toThrow(name);
  }
  expect(() => readEnvironment({ GOAUDITS_START_DATE: '2025-10-02', GOAUDITS_END_DATE: '2025-10-01' })).toThrow(
    /GOAUDITS_START_DATE 2025-10-02 is after GOAUDITS_END_DATE/,
  );
});

test('METRICS_PORT: 9464 by default, 0 turns the metrics off, anything but a port is refused', () => {
  expect(readEnvironment({}).METRICS_PORT).toBe(9464);
  expect(readEnvironment({ METRICS_PORT: '0' }).METRICS_PORT).toBe(0);
  expect(() => readEnvironment({ METRICS_PORT: '65536' })).toThrow('METRICS_PORT');
  expect(() => readEnvironment({ METRICS_PORT: 'nine' })).toThrow('METRICS_PORT');
});
