import { correlationIdOf } from './run-history';

const runId = '0b5a8d3e-4c0e-4a4e-9f57-2f7d7f1f2a11';

test('names the workflow run, and the part when one is given', () => {
  expect(correlationIdOf('goaudits-ingestion-2025', runId)).toBe(`goaudits-ingestion-2025/${runId}`);
  expect(correlationIdOf('goaudits-ingestion-2025', runId, 'enrichment')).toBe(`goaudits-ingestion-2025/${runId}/enrichment`);
});

test('fits JobRunHistory.CorrelationId (100 characters) whatever the workflow id, keeping the run id whole', () => {
  const long = `backfill-${'x'.repeat(300)}`;
  for (const part of [undefined, 'enrichment']) {
    const id = correlationIdOf(long, runId, part);
    expect(id).toHaveLength(100);
    expect(id.startsWith('backfill-xxx')).toBe(true);
    expect(id.endsWith(part ? `…/${runId}/${part}` : `…/${runId}`)).toBe(true);
  }
});
