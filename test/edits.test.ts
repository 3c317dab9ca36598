import { usePipelines, type Pipeline } from './harness';
import { tablesOf, truthOf } from './tables';
import { until } from './until';
import { startBackfill } from '../client/backfill';
import { utcDate } from '../shared/plan';
import type { IngestionResult } from '../workflows/ingest';
import type { Estimate } from '../workflows/estimate';
import { ingestionWorkflow } from '../workflows';

jest.setTimeout(240_000);

const fixture = usePipelines();

/** The day `n` days before today (UTC). */
const daysAgo = (n: number) => utcDate(Date.now() - n * 86_400_000);

/** Ids of reports GoAudits holds whose day (Updated_On) is `day` and that can be edited (two answers besides the certificate). */
const editable = (p: Pipeline, day: string, count: number) => {
  const ids = p.simulator
    .truth()
    .reports.filter((r) => r.completedAtUtc.startsWith(day) && r.answers.length >= 3)
    .map((r) => r.id)
    .slice(0, count);
  expect(ids).toHaveLength(count);
  return ids;
};

/** The lines of tablesOf / truthOf that do not name `id`. */
const without = (id: string, tables: { reports: string[]; answers: string[] }) => ({
  reports: tables.reports.filter((line) => !line.startsWith(`${id} `)),
  answers: tables.answers.filter((line) => !line.startsWith(`["${id}"`)),
});

/** The JobRunHistory message of the job's latest run. */
const lastMessage = (p: Pipeline, job: string) =>
  p.rows<{ Message: string }>('SELECT Message FROM JobRunHistory WHERE JobName = ? ORDER BY RunStartedUtc DESC, CreatedUtc DESC', job)[0]
    ?.Message;

describe('audits edited in GoAudits', () => {
  test('the next hourly run refreshes them in the same cycle, the lookback catches edits that kept Updated_On, and a refresh backfill the rest', async () => {
    const pipeline = await fixture.pipeline({
      simulator: { dataset: { reports: 60, from: daysAgo(4), to: daysAgo(1), seed: 21 } },
      env: { GOAUDITS_START_DATE: daysAgo(4), GOAUDITS_LOOKBACK_DAYS: '2' },
    });
    await pipeline.execute<IngestionResult>(ingestionWorkflow);
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));

    // Edits that moved Updated_On to now, edits that kept it inside the lookback, and one outside it.
    const moved = pipeline.simulator.editReports({ ids: [...editable(pipeline, daysAgo(4), 3), ...editable(pipeline, daysAgo(1), 3)] });
    const kept = pipeline.simulator.editReports({ ids: editable(pipeline, daysAgo(2), 3), moveUpdatedOn: false });
    const [outside] = pipeline.simulator.editReports({ ids: editable(pipeline, daysAgo(4), 4).slice(3), moveUpdatedOn: false });
    const edited = [...moved, ...kept];
    pipeline.simulator.resetCounters();

    const hourly = await pipeline.execute<IngestionResult>(ingestionWorkflow);
    expect(hourly.counts).toMatchObject({ ingested: 0, refreshRequested: edited.length, pages: 3 });
    expect(hourly.enrichment).toMatchObject({ refreshedCount: edited.length, processed: edited.length, failedCount: 0 });
    // The lookback costs summary calls only: details were fetched for the edited audits alone, once each.
    const counters = pipeline.simulator.counters();
    expect(Object.keys(counters.detailsCallsById).sort()).toEqual([...edited].sort());
    expect(Object.values(counters.detailsCallsById).every((calls) => calls === 1)).toBe(true);
    expect(counters.byEndpoint.summary).toBe(3);
    // Every table mirrors GoAudits but for the audit edited outside the lookback, still as first stored.
    const tables = tablesOf(pipeline);
    const truth = truthOf(pipeline);
    expect(without(outside, tables)).toEqual(without(outside, truth));
    expect(tables.answers.filter((line) => line.startsWith(`["${outside}"`))).not.toEqual(
      truth.answers.filter((line) => line.startsWith(`["${outside}"`)),
    );
    expect(lastMessage(pipeline, 'GoAuditsIngestion')).toMatch(/ RefreshRequested=9$/);
    expect(lastMessage(pipeline, 'GoAuditsEnrichment')).toMatch(/ Refreshed=9$/);

    // A refresh backfill of the outside audit's day: its dry run counts the details calls, then it re-fetches every audit of the day.
    const day = daysAgo(4);
    const storedThatDay = pipeline.count(`GoAuditsReports WHERE date(CompletedAtUtc) = '${day}'`);
    const estimate = (await startBackfill(
      pipeline.client,
      pipeline.env,
      { from: day, to: day, refresh: true, dryRun: true },
      () => undefined,
    )) as Estimate;
    expect(estimate).toMatchObject({ windows: 1, summaryCalls: 1, storedReports: storedThatDay });
    expect(estimate.detailsCalls).toBeGreaterThanOrEqual(storedThatDay);
    const refresh = await pipeline.execute<IngestionResult>(ingestionWorkflow, { from: day, to: day, refresh: true });
    expect(refresh.counts).toMatchObject({ ingested: 0, refreshRequested: storedThatDay });
    const withoutDetails = pipeline.simulator.truth().reports.filter((r) => r.completedAtUtc.startsWith(day) && !r.hasDetails).length;
    expect(refresh.enrichment).toMatchObject({ refreshedCount: storedThatDay - withoutDetails, failedCount: withoutDetails });
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
  });

  test('a refresh whose worker process is killed mid-way is finished by another worker process, the tables exactly the truth', async () => {
    const pipeline = await fixture.pipeline({
      simulator: { dataset: { reports: 90, from: '2025-10-01', to: '2025-10-03', seed: 23 } },
      env: { GOAUDITS_START_DATE: '2025-10-01', GOAUDITS_END_DATE: '2025-10-03', GOAUDITS_RATE_LIMIT_PER_SECOND: '15' },
      inProcessWorker: false,
    });
    const first = await pipeline.startWorkerProcess('worker-a');
    await pipeline.execute<IngestionResult>(ingestionWorkflow);
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
    pipeline.simulator.editReports({ count: 30, moveUpdatedOn: false });
    pipeline.simulator.resetCounters();

    const input = { from: '2025-10-01', to: '2025-10-03', refresh: true, batchSize: 10, concurrency: 2 };
    const handle = await pipeline.start(ingestionWorkflow, input, 'refresh-after-edits');
    await until(
      async () => pipeline.simulator.counters().byEndpoint.details,
      (calls) => calls >= 20,
      '20 details calls of the refresh',
    );
    first.kill('SIGKILL');
    await pipeline.startWorkerProcess('worker-b');
    const result = await handle.result();

    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
    const stored = pipeline.count('GoAuditsReports');
    expect(result.counts).toMatchObject({ ingested: 0, refreshRequested: stored });
    // A report refreshed after the killed batch's last heartbeat is found done by the retry (counted as enriched elsewhere).
    const { refreshedCount, enrichedElsewhereCount, failedCount } = result.enrichment;
    expect(refreshedCount + enrichedElsewhereCount + failedCount).toBeGreaterThanOrEqual(stored);
    expect(refreshedCount).toBeLessThanOrEqual(stored);
    expect(pipeline.rows("SELECT Status FROM JobRunHistory WHERE CorrelationId LIKE 'refresh-after-edits/%'")).toEqual([
      { Status: 'Succeeded' },
      { Status: 'Succeeded' },
    ]);
    expect(pipeline.count('GoAuditsReportVersions WHERE RefreshRequestedUtc IS NOT NULL')).toBe(
      pipeline.simulator.truth().reports.filter((r) => !r.hasDetails).length,
    );
  });
});
