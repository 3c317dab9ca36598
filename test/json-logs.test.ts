import { once } from 'node:events';
import { usePipelines } from './harness';
import { withoutDetails } from './tables';
import { until } from './until';

/**
 * What a worker process and the client write off a terminal, by default, as Container Apps ships it to
 * Log Analytics (one record a line): through a run where GoAudits fails now and then (5xx, bodies
 * cut off, hung calls, 429s), every line of stdout and stderr is one JSON object with a level and a
 * message, Temporal's own lines included; the run summaries keep today's fields; no line holds a
 * task token or the GoAudits token.
 */

jest.setTimeout(240_000);

const fixture = usePipelines();

/** 5xx, cut-off bodies and calls hung past the worker's 1 s timeout; 429s as the worker calls faster than GoAudits allows. */
const FAULTY_GOAUDITS = {
  dataset: { reports: 60, from: '2025-10-01', to: '2025-10-05', seed: 7 },
  rateLimitPerSecond: 8,
  fault5xxRate: 0.1,
  malformedRate: 0.1,
  timeoutRate: 0.05,
  hangMs: 600_000,
};
const FAST_BATCHES = { GOAUDITS_RATE_LIMIT_PER_SECOND: '20', GOAUDITS_ENRICH_BATCH_SIZE: '5', GOAUDITS_ENRICH_CONCURRENCY: '3' };

const SUMMARY_FIELDS = ['jobName', 'jobRunId', 'status', 'counts', 'correlationId', 'startedAtUtc', 'completedAtUtc'];

test('a worker process through a run with faults writes only one-line JSON objects, with context and without secrets', async () => {
  const pipeline = await fixture.pipeline({
    simulator: FAULTY_GOAUDITS,
    env: {
      GOAUDITS_START_DATE: '2025-10-01',
      GOAUDITS_END_DATE: '2025-10-05',
      GOAUDITS_HTTP_TIMEOUT_MS: '1000',
      ...FAST_BATCHES,
    },
    inProcessWorker: false,
  });
  // INFO: the SDK's activity and worker lines too, not only warnings.
  const worker = await pipeline.startWorkerProcess('worker-json', { LOG_LEVEL: 'INFO' });
  // LOG_FORMAT unset, as in a job or CI: both write JSON because neither writes to a terminal.
  const client = pipeline.runClient(['ingest'], { env: { LOG_FORMAT: '' } });
  expect(await client.exited).toBe(0);
  await until(
    async () => worker.written.stdout.split('"msg":"run summary"').length - 1,
    (summaries) => summaries === 2,
    'both run summaries written',
  );
  worker.kill('SIGTERM');
  await once(worker, 'exit');

  const counters = pipeline.simulator.counters();
  expect(counters.rateLimited).toBeGreaterThan(0);
  expect(Object.values(counters.faultsByKind).every((faults) => faults > 0)).toBe(true);

  const written = [worker.written.stdout, worker.written.stderr, client.stdout, client.stderr];
  const lines = written.flatMap((text) => text.split('\n')).filter((line) => line !== '');
  const records = lines.map((line) => {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      throw new Error(`not one JSON object: ${line}`);
    }
    expect(record).toEqual(
      expect.objectContaining({ level: expect.stringMatching(/^(TRACE|DEBUG|INFO|WARN|ERROR)$/), msg: expect.any(String) }),
    );
    return record as Record<string, unknown>;
  });
  const token = pipeline.tokenEnv.GOAUDITS_BEARER_TOKEN;
  for (const line of lines) {
    expect(line).not.toContain(token);
    expect(line).not.toMatch(/taskToken/i);
  }

  // The client's progress and outcome: records naming the run, its counts and result as fields.
  const progress = records.filter((record) => typeof record.phase === 'string' && typeof record.windowsDone === 'number');
  expect(progress.length).toBeGreaterThan(0);
  const workflowId = progress[0].workflowId;
  expect(workflowId).toEqual(expect.stringMatching(/^goaudits-ingestion-manual-/));
  expect(records).toContainEqual(
    expect.objectContaining({
      level: 'INFO',
      msg: expect.stringMatching(/^ingestion succeeded: /),
      exitCode: 0,
      result: expect.any(Object),
    }),
  );

  const summaries = records.filter((record) => record.msg === 'run summary');
  expect(summaries.map((summary) => summary.jobName).sort()).toEqual(['GoAuditsEnrichment', 'GoAuditsIngestion']);
  for (const summary of summaries) {
    expect(summary).toEqual(expect.objectContaining({ level: 'INFO', time: expect.any(String) }));
    for (const field of SUMMARY_FIELDS) expect(summary).toHaveProperty(field);
  }

  // The SDK's own lines carry the run's context: its workflow, run, activity and attempt.
  expect(records).toContainEqual(
    expect.objectContaining({
      workflowId: workflowId,
      runId: expect.any(String),
      activity: expect.any(String),
      attempt: expect.any(Number),
    }),
  );
  // A report GoAudits has no details for: the warning names the report, the run and why, on one line.
  expect(withoutDetails(pipeline)).toBeGreaterThan(0);
  expect(records).toContainEqual(
    expect.objectContaining({
      level: 'WARN',
      msg: 'report not enriched; a later sweep retries it',
      workflowId: workflowId,
      job: 'GoAuditsEnrichment',
      activity: 'enrichBatch',
      attempt: expect.any(Number),
      reportId: expect.any(String),
      errorType: 'NoDetailRows',
    }),
  );
});
