import { usePipelines } from './harness';
import { enrichmentOfTruth, runHistoryRows, tablesOf, truthOf } from './tables';
import type { IngestionResult } from '../workflows/ingest';
import { countsMessage } from '../shared/counts';
import { ingestionWorkflow } from '../workflows';

/**
 * GoAudits failing now and then, end to end: random 5xx, bodies cut off, and calls that hang
 * past the HTTP timeout. With tries enough, every one is retried until it goes through: the
 * tables are exactly the truth and every count is the truth's, as if nothing had failed.
 */

jest.setTimeout(240_000);

const fixture = usePipelines();

test('random 5xx, malformed bodies and hangs past the HTTP timeout are retried until the tables are exactly the truth', async () => {
  const pipeline = await fixture.pipeline({
    simulator: {
      dataset: { reports: 60, from: '2025-10-01', to: '2025-10-05', seed: 7 },
      // The simulator draws one fault per admitted call from its seed: with these rates and seed
      // 7, its first 24 calls already hold a 5xx, a malformed body and a hang (a run makes 60 and more).
      fault5xxRate: 0.1,
      malformedRate: 0.1,
      timeoutRate: 0.05,
      // GoAudits would answer a hung call after 10 minutes, past this test's timeout: only the
      // worker's own HTTP timeout (1 s) ends those calls.
      hangMs: 600_000,
    },
    env: {
      GOAUDITS_START_DATE: '2025-10-01',
      GOAUDITS_END_DATE: '2025-10-05',
      GOAUDITS_HTTP_TIMEOUT_MS: '1000', // its minimum
      // A call fails a try in 1 of 4; ten tries fail together about once in a million.
      GOAUDITS_RETRY_ATTEMPTS: '10',
      GOAUDITS_ENRICH_BATCH_SIZE: '5',
      GOAUDITS_ENRICH_CONCURRENCY: '3',
    },
  });
  const result = await pipeline.execute<IngestionResult>(ingestionWorkflow);

  const counters = pipeline.simulator.counters();
  expect(counters.faultsByKind).toEqual({ serverError: expect.any(Number), malformed: expect.any(Number), hang: expect.any(Number) });
  expect(Object.values(counters.faultsByKind).every((faults) => faults > 0)).toBe(true);
  expect(counters.requests).toBe(counters.served + counters.faults);

  const truth = truthOf(pipeline);
  expect(tablesOf(pipeline)).toEqual(truth);
  // Every count is the truth's: nothing failed but the reports GoAudits has no details for.
  const expected = enrichmentOfTruth(pipeline);
  expect(result.enrichment).toEqual(expected);
  expect(result.counts).toMatchObject({ ingested: truth.reports.length, pages: 5, missedDays: 0 });
  expect(runHistoryRows(pipeline).map(({ JobName, Status, Message }) => ({ JobName, Status, Message }))).toEqual([
    { JobName: 'GoAuditsEnrichment', Status: 'Succeeded', Message: countsMessage(expected) },
    { JobName: 'GoAuditsIngestion', Status: 'Succeeded', Message: countsMessage(result.counts) },
  ]);
  expect(pipeline.count('GoAuditsMissedDays')).toBe(0);
});
