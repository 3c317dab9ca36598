import { usePipelines } from './harness';

jest.setTimeout(240_000);

const fixture = usePipelines();

/** Reports done in each plain progress line: `reports 120/636`. */
const reportsDone = (text: string) => [...text.matchAll(/reports (\d+)\/\d+/g)].map((m) => Number(m[1]));

test('a piped ingest of about 650 calls at 10 calls/s shows its reports count move report by report, not batch by batch', async () => {
  // 710 audits over 14 days: about 640 to ingest and enrich, 14 summary windows. Batches of 100, one
  // at a time, take 10 s each: counted only at their ends, a line every 5 s would show each count twice.
  const pipeline = await fixture.pipeline({
    simulator: { dataset: { reports: 710, from: '2025-10-01', to: '2025-10-14', seed: 3 } },
    env: {
      GOAUDITS_START_DATE: '2025-10-01',
      GOAUDITS_END_DATE: '2025-10-14',
      GOAUDITS_RATE_LIMIT_PER_SECOND: '10',
      GOAUDITS_ENRICH_BATCH_SIZE: '100',
    },
  });
  const run = pipeline.runClient(['ingest']);
  const code = await run.exited;
  const reports = pipeline.simulator.truth().reports.length;
  const done = reportsDone(run.stderr);
  const context = `--- the client's progress lines ---\n${run.stderr}`;
  expect({ code, calls: pipeline.simulator.counters().requests }).toEqual({ code: 0, calls: expect.any(Number) as number });
  expect(pipeline.simulator.counters().requests).toBeGreaterThanOrEqual(600);
  expect(done.every((value, i) => i === 0 || value >= done[i - 1]) ? 'never down' : context).toBe('never down');
  expect(new Set(done).size >= 12 ? 'at least 12 distinct counts' : context).toBe('at least 12 distinct counts');
  expect(run.stdout).toMatch(new RegExp(`^ingestion succeeded: ${reports} ingested, `, 'm'));
});
