import { ScheduleOverlapPolicy, WorkflowFailedError } from '@temporalio/client';
import { applySchedules } from '../client/schedules';
import { readEnvironment } from '../worker/config';
import { Worker } from '@temporalio/worker';
import { until } from './until';
import { usePipelines, type Pipeline } from './harness';
import { enrichmentOfTruth, messageCounts, runHistoryTotals, runHistoryTotalsOfTruth, tablesOf, truthOf, withoutDetails } from './tables';
import type { IngestionResult } from '../workflows/ingest';
import type { EnrichmentResult } from '../workflows/enrich';
import type { Progress } from '../workflows/progress';
import { countsMessage } from '../shared/counts';
import { AUTH_HALT } from '../shared/failure-types';
import { failureTypes } from './workflow-history';
import { enrichmentWorkflow, ingestionWorkflow, missedDaysWorkflow, quarantineWorkflow, watermarkWorkflow } from '../workflows';
import { tracingWorkerOptions } from '../worker/workflow-tracing';

jest.setTimeout(180_000);

const fixture = usePipelines();

function runHistory(p: Pipeline) {
  return p.rows<{ JobName: string; Status: string; Message: string; CorrelationId: string }>(
    'SELECT JobName, Status, Message, CorrelationId FROM JobRunHistory ORDER BY RunStartedUtc, JobName',
  );
}

describe('ingestion and enrichment on a real dev server', () => {
  test('a first run stores exactly the truth, a second adds nothing, new audits add exactly themselves', async () => {
    const pipeline = await fixture.pipeline({ env: { GOAUDITS_START_DATE: '2025-10-01', GOAUDITS_END_DATE: '2025-10-05' } });
    const first = await pipeline.execute<IngestionResult>(ingestionWorkflow);

    const truth = truthOf(pipeline);
    const stored = tablesOf(pipeline);
    expect(stored.reports).toEqual(truth.reports);
    expect(stored.answers).toEqual(truth.answers);
    expect(first.counts.ingested).toBe(truth.reports.length);
    expect(first.counts.pages).toBe(5);
    expect(first.counts.skipped).toBeGreaterThan(0);
    expect(first.counts.fetched).toBeGreaterThan(first.counts.eligible);
    // Every count as the truth gives it: selected all, processed those with details, the rest failed, every answer and certificate.
    expect(first.enrichment).toEqual(enrichmentOfTruth(pipeline));
    expect(withoutDetails(pipeline)).toBeGreaterThan(0);
    expect(first.enrichment.answersInsertedCount).toBe(truth.answers.length);
    expect(pipeline.count("ProcessedItems WHERE JobName = 'GoAuditsIngestion'")).toBe(truth.reports.length);

    const second = await pipeline.execute<IngestionResult>(ingestionWorkflow);
    expect(second.counts.ingested).toBe(0);
    expect(second.counts.alreadyProcessed).toBeGreaterThan(0);
    expect(second.enrichment.selected).toBe(0);
    expect(tablesOf(pipeline)).toEqual(stored);

    const added = pipeline.simulator.addReports(3, { on: '2025-10-05' });
    const third = await pipeline.execute<IngestionResult>(ingestionWorkflow);
    expect(third.counts.ingested).toBe(3);
    expect(third.enrichment).toEqual(enrichmentOfTruth(pipeline, added));
    const newIds = pipeline.rows<{ id: string }>('SELECT GoAuditsReportId AS id FROM GoAuditsReports WHERE JobRunId = ?', third.runId);
    expect(newIds.map((r) => r.id).sort()).toEqual([...added].sort());
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));

    const history = runHistory(pipeline);
    expect(history.map((h) => `${h.JobName} ${h.Status}`).sort()).toEqual([
      'GoAuditsEnrichment Succeeded',
      'GoAuditsEnrichment Succeeded',
      'GoAuditsIngestion Succeeded',
      'GoAuditsIngestion Succeeded',
      'GoAuditsIngestion Succeeded',
    ]);
    expect(new Set(history.map((h) => h.CorrelationId)).size).toBe(history.length);
    const firstRow = pipeline.rows<{ Message: string }>('SELECT Message FROM JobRunHistory WHERE RunId = ?', first.runId);
    expect(firstRow).toEqual([{ Message: countsMessage(first.counts) }]);
    // The run's enrichment row: its CorrelationId ends with the same workflow run id, then `/enrichment`.
    const [{ CorrelationId }] = pipeline.rows<{ CorrelationId: string }>(
      'SELECT CorrelationId FROM JobRunHistory WHERE RunId = ?',
      first.runId,
    );
    const firstEnrichment = pipeline.rows<{ Message: string }>(
      "SELECT Message FROM JobRunHistory WHERE JobName = 'GoAuditsEnrichment' AND CorrelationId LIKE ?",
      `%/${CorrelationId.split('/').pop()}/enrichment`,
    );
    expect(firstEnrichment).toEqual([{ Message: countsMessage(first.enrichment) }]);
    expect(runHistoryTotals(pipeline)).toEqual(runHistoryTotalsOfTruth(pipeline));

    const logged = pipeline.summaryLines.map((line) => JSON.parse(line));
    expect(logged).toHaveLength(history.length);
    expect(logged.find((line) => line.jobRunId === first.runId)).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      level: 'INFO',
      msg: 'run summary',
      jobName: 'GoAuditsIngestion',
      jobRunId: first.runId,
      status: 'Succeeded',
      counts: first.counts,
      correlationId: expect.stringMatching(/^ingestionWorkflow-/),
      startedAtUtc: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      completedAtUtc: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  test('the token never enters workflow history, and the histories replay on this code', async () => {
    const pipeline = await fixture.pipeline({ simulator: { dataset: { reports: 12, from: '2025-10-01', to: '2025-10-01', seed: 2 } } });
    const workflowId = 'ingestion-history-check';
    await pipeline.execute(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-01' }, workflowId);
    const ids = [workflowId];
    const fetched = await Promise.all(ids.map((id) => pipeline.client.workflow.getHandle(id).fetchHistory()));
    for (const [i, history] of fetched.entries())
      await Worker.runReplayHistory(
        { workflowBundle: fixture.server.bundle, sinks: tracingWorkerOptions(undefined).sinks },
        history,
        ids[i],
      );
    const raw = JSON.stringify(fetched);
    const payloads = [...raw.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map(([, data]) => Buffer.from(data, 'base64').toString());
    const text = `${raw}\n${payloads.join('\n')}`;
    expect(text.includes('"job":"GoAuditsIngestion"')).toBe(true);
    expect(text.includes(pipeline.tokenEnv.GOAUDITS_BEARER_TOKEN)).toBe(false);
  });

  test('a token revoked mid-run halts the run, makes no further call but one already on its way, and with a rotated token the next runs finish it', async () => {
    const pipeline = await fixture.pipeline({
      simulator: { revokeTokenAfterCalls: 20 },
      env: { GOAUDITS_START_DATE: '2025-10-01', GOAUDITS_END_DATE: '2025-10-05', GOAUDITS_ENRICH_BATCH_SIZE: '10' },
    });
    const halted = pipeline.execute(ingestionWorkflow);
    await expect(halted).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(failureTypes(await halted.catch((error: unknown) => error))).toContain(AUTH_HALT);

    const history = runHistory(pipeline);
    expect(history.map((h) => `${h.JobName} ${h.Status}`).sort()).toEqual(['GoAuditsEnrichment Failed', 'GoAuditsIngestion Failed']);
    expect(history.find((h) => h.JobName === 'GoAuditsEnrichment')?.Message).toMatch(
      /^Selected=\d+ .* Failed=\d+ Quarantined=\d+ EnrichedElsewhere=\d+ Refreshed=0 \| Error: authFatal: /,
    );
    expect(history.find((h) => h.JobName === 'GoAuditsIngestion')?.Message).toMatch(
      /^Fetched=\d+ .* Pages=\d MissedDays=0 RefreshRequested=0 \| Error: authFatal: /,
    );
    // No call after the refusal but one already on its way: a batch has several reports in flight at once.
    expect(pipeline.simulator.counters().requestsAfterRevocation).toBeLessThanOrEqual(1);
    const truth = truthOf(pipeline);
    // The halted run counted exactly what it stored, short of the truth.
    const haltedRow = messageCounts(history.find((h) => h.JobName === 'GoAuditsEnrichment')!.Message);
    expect({ processed: haltedRow.Processed, answers: haltedRow.AnswersInserted }).toEqual({
      processed: pipeline.count("ProcessedItems WHERE JobName = 'GoAuditsEnrichment'"),
      answers: pipeline.count('GoAuditsReportAnswers'),
    });
    expect(haltedRow.Processed).toBeGreaterThan(0);
    expect(pipeline.count('GoAuditsReportAnswers')).toBeLessThan(truth.answers.length);

    const rotated = `rotated-${Date.now()}`;
    pipeline.simulator.setToken(rotated);
    pipeline.tokenEnv.GOAUDITS_BEARER_TOKEN = rotated;
    await pipeline.execute<IngestionResult>(ingestionWorkflow);
    const sweep = await pipeline.execute<EnrichmentResult>(enrichmentWorkflow);
    expect(sweep.counts).toMatchObject({ failedCount: withoutDetails(pipeline), authFatal: false });
    expect(tablesOf(pipeline)).toEqual(truth);
    expect(runHistoryTotals(pipeline)).toEqual(runHistoryTotalsOfTruth(pipeline));
  });

  test('a token refused at one worker gets at most one more call from any worker, and the next run tests it once again', async () => {
    const pipeline = await fixture.pipeline({
      simulator: { revokeTokenAfterCalls: 15, revokedStatus: 403 },
      env: {
        GOAUDITS_START_DATE: '2025-10-01',
        GOAUDITS_END_DATE: '2025-10-05',
        GOAUDITS_ENRICH_BATCH_SIZE: '4',
        GOAUDITS_ENRICH_CONCURRENCY: '4',
      },
    });
    await pipeline.addWorker('goaudits-worker@second');
    const halted = await pipeline.execute(ingestionWorkflow).catch((error: unknown) => error);
    expect(failureTypes(halted)).toContain(AUTH_HALT);
    expect(pipeline.simulator.counters().requestsAfterRevocation).toBeLessThanOrEqual(1);

    // The same token, still refused: the next run tests it once, and halts again.
    const before = pipeline.simulator.counters().requests;
    const again = await pipeline.execute(enrichmentWorkflow).catch((error: unknown) => error);
    expect(failureTypes(again)).toContain(AUTH_HALT);
    expect(pipeline.simulator.counters().requests - before).toBeLessThanOrEqual(2);

    // A one-off refusal: GoAudits takes the same token again, and the next run goes through.
    pipeline.simulator.setToken(pipeline.tokenEnv.GOAUDITS_BEARER_TOKEN);
    await pipeline.execute<IngestionResult>(ingestionWorkflow);
    await pipeline.execute<EnrichmentResult>(enrichmentWorkflow);
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
  });

  test('failing reports are counted without stopping the batch, and a later sweep enriches them', async () => {
    const pipeline = await fixture.pipeline({ env: { GOAUDITS_START_DATE: '2025-10-01', GOAUDITS_END_DATE: '2025-10-05' } });
    const enrichable = pipeline.simulator.truth().reports.filter((r: { hasDetails: boolean }) => r.hasDetails);
    const failing = [enrichable[0].id, enrichable[enrichable.length - 1].id];
    pipeline.simulator.setFaults({ failingDetails: failing });

    const first = await pipeline.execute<IngestionResult>(ingestionWorkflow);
    expect(first.enrichment.failedCount).toBe(2 + withoutDetails(pipeline));
    expect(first.enrichment.processed).toBe(first.enrichment.selected - 2 - withoutDetails(pipeline));
    const missing = pipeline.rows(`SELECT GoAuditsReportId FROM GoAuditsReportAnswers WHERE GoAuditsReportId IN (?, ?)`, ...failing);
    expect(missing).toEqual([]);
    expect(runHistory(pipeline).every((h) => h.Status === 'Succeeded')).toBe(true);

    pipeline.simulator.setFaults({ failingDetails: [] });
    const sweep = await pipeline.execute<EnrichmentResult>(enrichmentWorkflow);
    expect(sweep.counts.failedCount).toBe(withoutDetails(pipeline));
    expect(sweep.counts.markedProcessedCount).toBe(2);
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
  });

  test('reports that keep failing are quarantined, stop costing calls, and can be listed and requeued', async () => {
    const pipeline = await fixture.pipeline({
      env: { GOAUDITS_START_DATE: '2025-10-01', GOAUDITS_END_DATE: '2025-10-05', GOAUDITS_QUARANTINE_AFTER: '2' },
    });
    const poison = pipeline.simulator
      .truth()
      .reports.filter((r) => !r.hasDetails)
      .map((r) => r.id)
      .sort();
    expect(poison.length).toBeGreaterThan(0);
    const first = await pipeline.execute<IngestionResult>(ingestionWorkflow);
    expect(first.enrichment).toMatchObject({ failedCount: poison.length, quarantinedCount: 0 });

    const second = await pipeline.execute<EnrichmentResult>(enrichmentWorkflow);
    expect(second.counts).toMatchObject({ selected: poison.length, failedCount: poison.length, quarantinedCount: poison.length });
    const row = pipeline.rows<{ Message: string }>('SELECT Message FROM JobRunHistory WHERE RunId = ?', second.runId)[0];
    expect(row.Message).toMatch(new RegExp(`Failed=${poison.length} Quarantined=${poison.length} EnrichedElsewhere=0 Refreshed=0$`));

    const callsBefore = pipeline.simulator.counters().byEndpoint.details;
    const third = await pipeline.execute<EnrichmentResult>(enrichmentWorkflow);
    expect(third.counts).toMatchObject({ selected: 0, failedCount: 0 });
    expect(pipeline.simulator.counters().byEndpoint.details).toBe(callsBefore);

    const listed = await pipeline.execute<{ quarantined: { reportId: string; failures: number; lastError: string }[] }>(quarantineWorkflow);
    expect(listed.quarantined.map((q) => q.reportId).sort()).toEqual(poison);
    expect(listed.quarantined.every((q) => q.failures === 2 && /no Detail rows/.test(q.lastError))).toBe(true);

    const requeued = await pipeline.execute<{ requeued: number; quarantined: unknown[] }>(quarantineWorkflow, { requeue: 'all' });
    expect(requeued).toEqual({ requeued: poison.length, quarantined: [] });
    const fourth = await pipeline.execute<EnrichmentResult>(enrichmentWorkflow);
    expect(fourth.counts).toMatchObject({ selected: poison.length, failedCount: poison.length, quarantinedCount: 0 });
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
  });

  test('a sweep never enriches a report another run is enriching: one details call per report', async () => {
    const pipeline = await fixture.pipeline({ env: { GOAUDITS_ENRICH_BATCH_SIZE: '5', GOAUDITS_ENRICH_CONCURRENCY: '1' } });
    const ingestion = await pipeline.start(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-05', rateLimitPerSecond: 4 });
    await until(
      () => ingestion.query<Progress>('progress'),
      (p) => p.windowsDone === p.windowsTotal && p.queued >= 20,
      'reports waiting',
    );
    const sweep = await pipeline.execute<EnrichmentResult>(enrichmentWorkflow, { concurrency: 3 });
    const ingested = (await ingestion.result()) as IngestionResult;

    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
    const enrichable = pipeline.simulator.truth().reports.filter((r) => r.hasDetails);
    const calls = pipeline.simulator.counters().detailsCallsById;
    expect(enrichable.filter((r) => calls[r.id] !== 1)).toEqual([]);
    expect(sweep.counts.processed).toBeGreaterThan(0);
    expect(ingested.enrichment.enrichedElsewhereCount).toBeGreaterThan(0);
    expect(sweep.counts.processed + ingested.enrichment.processed).toBe(enrichable.length);
  });

  test('a summary day that always fails never blocks the rest: recorded, listed, and read again by the next runs', async () => {
    const pipeline = await fixture.pipeline({
      simulator: { failingSummaryDays: ['2025-10-03'] },
      env: { GOAUDITS_START_DATE: '2025-10-01', GOAUDITS_END_DATE: '2025-10-05' },
    });
    const first = await pipeline.execute<IngestionResult>(ingestionWorkflow);
    expect(first.counts).toMatchObject({ missedDays: 1, pages: 4 });
    const onDay3 = (r: { completedAtUtc: string }) => r.completedAtUtc.startsWith('2025-10-03');
    const truth = pipeline.simulator.truth().reports;
    expect(pipeline.count('GoAuditsReports')).toBe(truth.filter((r) => !onDay3(r)).length);
    expect(await pipeline.dependencies.store.watermark('GoAuditsIngestion')).toMatch(/^2025-10-05T/);
    const row = pipeline.rows<{ Status: string; Message: string }>(
      'SELECT Status, Message FROM JobRunHistory WHERE RunId = ?',
      first.runId,
    );
    expect(row).toEqual([{ Status: 'Succeeded', Message: expect.stringMatching(/ Pages=4 MissedDays=1 RefreshRequested=0$/) }]);
    const missed = await pipeline.execute<{ day: string; failures: number; lastError: string }[]>(missedDaysWorkflow);
    expect(missed).toEqual([
      { day: '2025-10-03', failures: 1, lastError: expect.stringMatching(/HTTP 500/), lastFailedUtc: expect.any(String) },
    ]);

    pipeline.simulator.setFaults({ failingSummaryDays: [] });
    const second = await pipeline.execute<IngestionResult>(ingestionWorkflow);
    expect(second.counts).toMatchObject({ missedDays: 0, ingested: truth.filter(onDay3).length });
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
    expect(await pipeline.execute(missedDaysWorkflow)).toEqual([]);
  });

  test('two workers share one call lane: GoAudits never sees more calls in a second than the limit', async () => {
    const pipeline = await fixture.pipeline({
      env: {
        GOAUDITS_START_DATE: '2025-10-01',
        GOAUDITS_END_DATE: '2025-10-05',
        GOAUDITS_RATE_LIMIT_PER_SECOND: '16',
        // The lane's guarantee holds while a call reaches GoAudits within half the safety of its
        // start; a busy test machine gets 200 ms of it.
        GOAUDITS_RATE_SAFETY_MS: '200',
        GOAUDITS_ENRICH_BATCH_SIZE: '5',
        GOAUDITS_ENRICH_CONCURRENCY: '4',
      },
    });
    await pipeline.addWorker('goaudits-worker@second');
    const workflowId = `two-workers-${Date.now()}`;
    await pipeline.execute<IngestionResult>(ingestionWorkflow, {}, workflowId);
    const counters = pipeline.simulator.counters();
    expect(counters.byEndpoint.details).toBeGreaterThan(40);
    expect(counters.peakCallsPerSecond).toBeLessThanOrEqual(16);
    expect(counters.peakConcurrency).toBeLessThanOrEqual(4);
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));

    const history = await pipeline.client.workflow.getHandle(workflowId).fetchHistory();
    const workers = new Set(history.events?.flatMap((event) => event.activityTaskStartedEventAttributes?.identity ?? []));
    expect(workers).toEqual(new Set(['goaudits-worker@test', 'goaudits-worker@second']));
    const perRun = pipeline.rows<{ n: number }>('SELECT COUNT(*) AS n FROM JobRunHistory GROUP BY CorrelationId');
    expect(perRun).toEqual([{ n: 1 }, { n: 1 }]);
  });

  test('enrichment streams behind ingestion, and progress moves while it runs', async () => {
    const pipeline = await fixture.pipeline({
      simulator: { dataset: { reports: 60, from: '2025-10-01', to: '2025-10-30', seed: 5 } },
      env: { GOAUDITS_RATE_LIMIT_PER_SECOND: '20', GOAUDITS_ENRICH_BATCH_SIZE: '3', GOAUDITS_ENRICH_CONCURRENCY: '2' },
    });
    const handle = await pipeline.start(ingestionWorkflow, { from: '2025-10-01', to: '2025-10-30' });
    const seen: Progress[] = [];
    for (let done = false; !done;) {
      // The first query can come before the workflow's first task has registered its handler.
      const progress = await handle.query<Progress>('progress').catch(() => undefined);
      if (progress) seen.push(progress);
      done = (await handle.describe()).status.name !== 'RUNNING';
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const result = (await handle.result()) as IngestionResult;
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));

    // Reports were enriched while windows were still being read: enrichment did not wait for ingestion.
    expect(seen.some((p) => p.enrichment.processed > 0 && p.windowsDone < p.windowsTotal)).toBe(true);
    const enriched = seen.map((p) => p.enrichment.processed);
    expect(new Set(enriched).size).toBeGreaterThan(3);
    expect(enriched).toEqual([...enriched].sort((a, b) => a - b));
    const midway = seen.filter((p) => p.enrichment.processed > 0 && p.enrichment.processed < result.enrichment.processed);
    expect(midway.some((p) => p.etaUtc !== undefined && p.callsPerSecond > 0)).toBe(true);
    // The most a run gets is the lane's sustained rate: 20 calls/s less the default 50 ms of safety per second.
    expect(midway[0].limitPerSecond).toBeCloseTo(20 * (1000 / 1050));
  });

  test('a 429 holds every call for its Retry-After, uses up no try, and nothing is lost', async () => {
    const pipeline = await fixture.pipeline({
      simulator: { rateLimitPerSecond: 4, dataset: { reports: 30, from: '2025-10-01', to: '2025-10-02', seed: 3 } },
      env: {
        GOAUDITS_START_DATE: '2025-10-01',
        GOAUDITS_END_DATE: '2025-10-02',
        GOAUDITS_RATE_LIMIT_PER_SECOND: '30',
        GOAUDITS_ENRICH_CONCURRENCY: '4',
        GOAUDITS_ENRICH_BATCH_SIZE: '5',
        GOAUDITS_RETRY_ATTEMPTS: '1', // a single try: a 429 that used one up would lose its report
      },
    });
    const run = await pipeline.execute<IngestionResult>(ingestionWorkflow);
    expect(pipeline.simulator.counters()).toMatchObject({ rateLimited: expect.any(Number), callsDuringRetryAfter: 0 });
    expect(pipeline.simulator.counters().rateLimited).toBeGreaterThan(3);
    expect(run.enrichment.failedCount).toBe(withoutDetails(pipeline));
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
  });

  test('a backfill that starts after its end fails at once, naming both days, before any call or write', async () => {
    const pipeline = await fixture.pipeline();
    const error = await pipeline.execute(ingestionWorkflow, { from: '2030-01-01' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(failureTypes(error)).toContain('InvalidRange');
    expect(String((error as WorkflowFailedError).cause?.message)).toMatch(/from 2030-01-01 is after to \d{4}-\d\d-\d\d/);
    expect(pipeline.simulator.counters().requests).toBe(0);
    expect(pipeline.count('JobRunHistory')).toBe(0);
  });

  test('an hourly run whose watermark is past its last day succeeds with nothing done, and its row says so', async () => {
    const pipeline = await fixture.pipeline({ env: { GOAUDITS_END_DATE: '2025-10-05' } });
    await pipeline.dependencies.store.setWatermark('GoAuditsIngestion', '2025-10-09T08:00:00Z');
    const run = await pipeline.execute<IngestionResult>(ingestionWorkflow);
    expect(run).toMatchObject({ windows: 0, counts: { fetched: 0, ingested: 0, pages: 0 } });
    expect(runHistory(pipeline).map((h) => `${h.JobName} ${h.Status} ${h.Message}`)).toEqual([
      'GoAuditsIngestion Succeeded Fetched=0 Eligible=0 Ingested=0 Skipped=0 AlreadyProcessed=0 Pages=0 MissedDays=0 RefreshRequested=0',
    ]);
    expect(pipeline.simulator.counters().requests).toBe(0);
  });

  test('the watermark workflow rewinds to a day or an instant, clears it, and refuses a bad value by name', async () => {
    const pipeline = await fixture.pipeline();
    const watermark = () => pipeline.dependencies.store.watermark('GoAuditsIngestion');
    expect(await pipeline.execute(watermarkWorkflow, { set: '2025-10-02' })).toEqual({ before: null, after: '2025-10-02T00:00:00Z' });
    expect(await pipeline.execute(watermarkWorkflow, { set: '2025-10-03T04:05:06Z' })).toEqual({
      before: '2025-10-02T00:00:00Z',
      after: '2025-10-03T04:05:06Z',
    });
    const bad = await pipeline.execute(watermarkWorkflow, { set: '2025-02-30' }).catch((error: unknown) => error);
    expect(failureTypes(bad)).toContain('InvalidInput');
    expect(String((bad as WorkflowFailedError).cause?.message)).toMatch(/invalid watermark input: set/);
    expect(await watermark()).toBe('2025-10-03T04:05:06Z');
    expect(await pipeline.execute(watermarkWorkflow, { set: null })).toEqual({ before: '2025-10-03T04:05:06Z', after: null });
  });

  test('bad input fails the workflow at once, naming the problem, before any call or write', async () => {
    const pipeline = await fixture.pipeline();
    const bad = pipeline.execute(ingestionWorkflow, { from: '2025-10-09', to: '2025-10-01', form: 'typo' });
    const error = await bad.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const message = String((error as WorkflowFailedError).cause?.message);
    expect(message).toMatch(/form/);
    expect(message).toMatch(/`from` is after `to`|Unrecognized/);
    expect(pipeline.simulator.counters().requests).toBe(0);
    expect(pipeline.count('JobRunHistory')).toBe(0);
  });
});

test('the schedules are created once, and a second apply brings them to the configured definition', async () => {
  const client = fixture.server.env.client;
  const configured = (cron: string) => readEnvironment({ TEMPORAL_TASK_QUEUE: 'goaudits-schedules', GOAUDITS_INGEST_CRON: cron });
  try {
    expect(await applySchedules(client, configured('5 * * * *'))).toEqual([
      'goaudits-ingestion: created (5 * * * *)',
      'goaudits-enrichment: created (15 * * * *)',
      'goaudits-reconcile: created (0 3 * * 0)',
    ]);
    expect(await applySchedules(client, configured('0 * * * *'))).toEqual([
      'goaudits-ingestion: updated (0 * * * *)',
      'goaudits-enrichment: updated (15 * * * *)',
      'goaudits-reconcile: updated (0 3 * * 0)',
    ]);
    const ingestion = await client.schedule.getHandle('goaudits-ingestion').describe();
    expect(ingestion.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(ingestion.action).toMatchObject({ workflowType: 'ingestionWorkflow', taskQueue: 'goaudits-schedules' });
    expect(ingestion.spec.calendars?.[0]).toMatchObject({ minute: [{ start: 0, end: 0, step: 1 }] });
    const schedules = [];
    for await (const schedule of client.schedule.list()) schedules.push(schedule.scheduleId);
    expect(schedules.sort()).toEqual(['goaudits-enrichment', 'goaudits-ingestion', 'goaudits-reconcile']);
  } finally {
    for (const id of ['goaudits-ingestion', 'goaudits-enrichment', 'goaudits-reconcile'])
      await client.schedule
        .getHandle(id)
        .delete()
        .catch(() => undefined);
  }
});
