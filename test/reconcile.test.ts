import Database from 'better-sqlite3';
import { usePipelines, type Pipeline } from './harness';
import { tablesOf, truthOf } from './tables';
import { utcDate } from '../shared/plan';
import type { IngestionResult } from '../workflows/ingest';
import type { EnrichmentResult } from '../workflows/enrich';
import type { ReconcileResult } from '../workflows/reconcile';
import type { ReconcileEstimate } from '../workflows/reconcile-estimate';
import { enrichmentWorkflow, ingestionWorkflow, reconcileWorkflow } from '../workflows';
import { RECONCILE_SCHEDULE } from '../client/schedules';
import { until } from './until';
import { progressQuery } from '../workflows/messages';
import { pauseUpdate, resumeUpdate, tuneUpdate } from '../workflows/controls';

jest.setTimeout(300_000);

const fixture = usePipelines();

/** The day `n` days before today (UTC). */
const daysAgo = (n: number) => utcDate(Date.now() - n * 86_400_000);
const FROM = daysAgo(6);
const TO = daysAgo(1);

/** A pipeline over the last six days, every report ingested and enriched; reports GoAudits has no details for are quarantined at once (else they stay `unenriched`). */
async function ingested(seed: number, reports = 60): Promise<Pipeline> {
  const pipeline = await fixture.pipeline({
    simulator: { dataset: { reports, from: FROM, to: TO, seed } },
    env: { GOAUDITS_START_DATE: FROM, GOAUDITS_QUARANTINE_AFTER: '1' },
  });
  await pipeline.execute<IngestionResult>(ingestionWorkflow);
  expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
  return pipeline;
}

/** Completed audits with details, certificate and at least three answers, one per day first, so no day loses most of its reports. */
function spreadIds(p: Pipeline, count: number): string[] {
  const reports = p.simulator
    .truth()
    .reports.filter((r) => r.hasDetails && r.certificateNumber !== null && r.answers.length >= 3)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const byDay = new Map<string, string[]>();
  for (const r of reports) byDay.set(r.completedAtUtc.slice(0, 10), [...(byDay.get(r.completedAtUtc.slice(0, 10)) ?? []), r.id]);
  const ids: string[] = [];
  for (let round = 0; ids.length < count; round++)
    for (const day of byDay.values()) if (day[round] && ids.length < count) ids.push(day[round]);
  return ids;
}

/** Damage on our side, by SQL on the SQLite file, as an operator's mistake or an old backup would do it. */
function damage(p: Pipeline, sql: string, ...params: unknown[]) {
  const db = new Database(p.env.SQLITE_PATH);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

/** Runs the client's reconcile to its end: its exit code, and the result it printed last (JSON after the table). */
async function reconcile(p: Pipeline, ...args: string[]): Promise<{ code: number | null; result: ReconcileResult; stdout: string }> {
  const run = p.runClient(['reconcile', '--from', FROM, '--to', TO, '--wait', ...args]);
  const code = await run.exited;
  const json = run.stdout.slice(run.stdout.indexOf('\n{') + 1);
  try {
    return { code, result: JSON.parse(json) as ReconcileResult, stdout: run.stdout };
  } catch {
    throw new Error(`no result printed (exit ${code}):\n${run.output}`);
  }
}

const sorted = (ids: string[]) => [...ids].sort();

describe('reconcile', () => {
  test('finds every difference on both sides in its class, with its id; --repair --delete-gone leaves the tables equal to GoAudits, and a second reconcile exits 0', async () => {
    const pipeline = await ingested(31);
    const [d1, d2, d3, s1, s2, s3, s4, reopened, lost, empty1, empty2, cert, answer] = spreadIds(pipeline, 13);
    // GoAudits: 3 audits deleted, 4 answers changed silently, 1 turned back to In Progress.
    pipeline.simulator.deleteReports({ ids: [d1, d2, d3] });
    pipeline.simulator.editReportsSilently({ ids: [s1, s2, s3, s4] });
    pipeline.simulator.reopenReports({ ids: [reopened] });
    // The store: a report removed with its ledger rows kept, two reports' answers removed, a certificate and an answer changed.
    damage(pipeline, 'DELETE FROM GoAuditsReportAnswers WHERE GoAuditsReportId = ?', lost);
    damage(pipeline, 'DELETE FROM GoAuditsReports WHERE GoAuditsReportId = ?', lost);
    damage(pipeline, 'DELETE FROM GoAuditsReportAnswers WHERE GoAuditsReportId IN (?, ?)', empty1, empty2);
    damage(pipeline, "UPDATE GoAuditsReports SET CertificationNumber = 'CERT-BY-HAND' WHERE GoAuditsReportId = ?", cert);
    damage(
      pipeline,
      "UPDATE GoAuditsReportAnswers SET AnswerValue = 'changed by hand' WHERE GoAuditsReportId = ? AND QuestionKey = (SELECT MAX(QuestionKey) FROM GoAuditsReportAnswers WHERE GoAuditsReportId = ?)",
      answer,
      answer,
    );
    expect(pipeline.count(`ProcessedItems WHERE ItemKey = '${lost}'`)).toBe(2);

    // The dry run states its calls and makes none.
    pipeline.simulator.resetCounters();
    const dry = pipeline.runClient(['reconcile', '--from', FROM, '--to', TO, '--details', 'all', '--dry-run']);
    expect(await dry.exited).toBe(0);
    const estimate = JSON.parse(dry.stdout.slice(dry.stdout.indexOf('\n{') + 1)) as ReconcileEstimate;
    expect(estimate).toMatchObject({ days: 6, summaryCalls: 6, laterSummaryCalls: 1, storedReports: pipeline.count('GoAuditsReports') });
    expect(estimate.detailsCalls).toBe(estimate.storedReports);
    expect(pipeline.simulator.counters().byEndpoint).toMatchObject({ summary: 0, details: 0 });

    const before = tablesOf(pipeline);
    const found = await reconcile(pipeline, '--details', 'all');
    expect(found.code).toBe(3);
    expect(found.result.identical).toBe(false);
    expect(found.result.found).toEqual({ missing: 1, stale: 0, gone: 4, unenriched: 2, answersDiffer: 6 });
    // The first ids of each class, by day then id.
    const { firstIds } = found.result;
    expect({
      ...firstIds,
      gone: sorted(firstIds.gone),
      unenriched: sorted(firstIds.unenriched),
      answersDiffer: sorted(firstIds.answersDiffer),
    }).toEqual({
      missing: [lost],
      stale: [],
      gone: sorted([d1, d2, d3, reopened]),
      unenriched: sorted([empty1, empty2]),
      answersDiffer: sorted([s1, s2, s3, s4, cert, answer]),
    });
    expect(found.result.differingKeys[cert]).toContain('certificate');
    expect(found.result.suspectDays).toEqual([]);
    // One summary call per day and one for the day after the range up to today; a details call per report of the range but the differing ones.
    expect(found.result.calls.summary).toBe(7);
    // Reported only: nothing changed, and the table came before the JSON.
    expect(tablesOf(pipeline)).toEqual(before);
    expect(found.stdout).toMatch(
      /^day +listed +held +identical +missing +stale +gone +unenriched +answersDiffer +suspect\n(.*\n)*found +\d+ +\d+ +\d+ +1 +0 +4 +2 +6\n(.*\n)*differences remain for .*\n\{/m,
    );
    expect(pipeline.rows("SELECT Message FROM JobRunHistory WHERE JobName = 'GoAuditsReconcile'")).toEqual([
      { Message: expect.stringMatching(/^Days=6 .*Missing=1 Stale=0 Gone=4 Unenriched=2 AnswersDiffer=6 SuspectDays=0 .*Remaining=13$/) },
    ]);

    const repaired = await reconcile(pipeline, '--details', 'all', '--repair', '--delete-gone');
    expect(repaired.code).toBe(0);
    expect(repaired.result).toMatchObject({
      identical: true,
      found: found.result.found,
      remaining: { missing: 0, stale: 0, gone: 0, unenriched: 0, answersDiffer: 0 },
    });
    expect(repaired.result.repair).toMatchObject({ ingested: 1, deleted: 4, notDeleted: [] });
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
    expect(
      pipeline.rows<{ id: string }>('SELECT GoAuditsReportId AS id FROM GoAuditsDeletedReports ORDER BY 1').map((row) => row.id),
    ).toEqual(sorted([d1, d2, d3, reopened]));

    const again = await reconcile(pipeline, '--details', 'all');
    expect(again.code).toBe(0);
    expect(again.result).toMatchObject({ identical: true, found: { missing: 0, stale: 0, gone: 0, unenriched: 0, answersDiffer: 0 } });
    const deleted = pipeline.runClient(['deleted']);
    expect(await deleted.exited).toBe(0);
    for (const id of [d1, d2, d3, reopened]) expect(deleted.stdout).toContain(id);
  });

  test('a day whose reports mostly vanish at once is suspect and keeps them all; elsewhere a gone report is deleted and an edit that moved a report past the range is found on a later day; across continue-as-new', async () => {
    const pipeline = await ingested(33);
    const truth = pipeline.simulator.truth().reports;
    const dayOf = (id: string) => truth.find((r) => r.id === id)!.completedAtUtc.slice(0, 10);
    const days = [...new Set(truth.map((r) => r.completedAtUtc.slice(0, 10)))];
    const glitchDay = days.find((day) => truth.filter((r) => r.completedAtUtc.startsWith(day)).length >= 6)!;
    const vanished = truth.filter((r) => r.completedAtUtc.startsWith(glitchDay)).map((r) => r.id);
    const [gone, moved] = spreadIds(pipeline, 12).filter((id) => dayOf(id) !== glitchDay);
    pipeline.simulator.deleteReports({ ids: [...vanished, gone] });
    pipeline.simulator.editReports({ ids: [moved] });
    const storedBefore = pipeline.count(`GoAuditsReports WHERE date(CompletedAtUtc) = '${glitchDay}'`);

    const workflowId = `reconcile-suspect-${FROM}`;
    const result = await pipeline.execute<ReconcileResult>(
      reconcileWorkflow,
      { from: FROM, to: TO, repair: true, deleteGone: true, details: 2, continueAsNewAfterEvents: 20 },
      workflowId,
    );
    expect(result.suspectDays).toEqual([glitchDay]);
    expect(result.found).toMatchObject({ gone: vanished.length + 1, stale: 1, missing: 0 });
    expect(result.days.find((day) => day.day === glitchDay)).toMatchObject({ held: storedBefore, gone: vanished.length, suspect: true });
    expect(result.repair).toMatchObject({ deleted: 1, deletedIds: [gone] });
    expect(result).toMatchObject({ identical: false, remaining: { gone: vanished.length, stale: 0, missing: 0, unenriched: 0 } });
    // Nothing of the suspect day is deleted; the rest is GoAudits' truth (the moved report on its new day).
    expect(pipeline.count(`GoAuditsReports WHERE date(CompletedAtUtc) = '${glitchDay}'`)).toBe(storedBefore);
    expect(pipeline.count('GoAuditsDeletedReports')).toBe(1);
    const tables = tablesOf(pipeline);
    expect({
      reports: tables.reports.filter((line) => !vanished.some((id) => line.startsWith(`${id} `))),
      answers: tables.answers.filter((line) => !vanished.some((id) => line.startsWith(`["${id}"`))),
    }).toEqual(truthOf(pipeline));
    // It continued as new, and one JobRunHistory row covers its segments.
    const runs = [];
    for await (const run of pipeline.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run.runId);
    expect(runs.length).toBeGreaterThan(1);
    expect(pipeline.rows("SELECT Status FROM JobRunHistory WHERE JobName = 'GoAuditsReconcile'")).toEqual([{ Status: 'Succeeded' }]);
  });

  test('the weekly schedule exists after `schedules`, and a triggered run repairs drift', async () => {
    const pipeline = await ingested(35);
    const [lost, empty] = spreadIds(pipeline, 2);
    damage(pipeline, 'DELETE FROM GoAuditsReportAnswers WHERE GoAuditsReportId IN (?, ?)', lost, empty);
    damage(pipeline, 'DELETE FROM GoAuditsReports WHERE GoAuditsReportId = ?', lost);
    expect(tablesOf(pipeline)).not.toEqual(truthOf(pipeline));
    const schedule = pipeline.client.schedule.getHandle(RECONCILE_SCHEDULE);
    try {
      const applied = pipeline.runClient(['schedules']);
      expect(await applied.exited).toBe(0);
      expect(applied.stdout).toContain('goaudits-reconcile: created (0 3 * * 0)');
      const described = await schedule.describe();
      expect(described.action).toMatchObject({
        workflowType: 'reconcileWorkflow',
        taskQueue: pipeline.env.TEMPORAL_TASK_QUEUE,
        args: [{ lastDays: 30, details: 5, repair: true }],
      });
      expect(described.spec.calendars?.[0]).toMatchObject({
        hour: [{ start: 3, end: 3, step: 1 }],
        dayOfWeek: [{ start: 'SUNDAY', end: 'SUNDAY', step: 1 }],
      });

      await schedule.trigger();
      const started = await until(
        () => schedule.describe(),
        (s) => s.info.recentActions.length > 0,
        'the triggered reconcile',
      );
      const result = (await pipeline.client.workflow
        .getHandle(started.info.recentActions[0].action.workflow.workflowId)
        .result()) as ReconcileResult;
      expect(result.from).toBe(daysAgo(30));
      expect(result.found).toMatchObject({ missing: 1, unenriched: 1, gone: 0 });
      expect(result.identical).toBe(true);
      expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
    } finally {
      for (const id of ['goaudits-ingestion', 'goaudits-enrichment', RECONCILE_SCHEDULE])
        await pipeline.client.schedule
          .getHandle(id)
          .delete()
          .catch(() => undefined);
    }
  });

  test('a worker process killed with kill -9 in the middle of a repairing reconcile: another worker process finishes it, the tables exact', async () => {
    const pipeline = await fixture.pipeline({
      simulator: { dataset: { reports: 90, from: FROM, to: TO, seed: 37 } },
      env: { GOAUDITS_START_DATE: FROM, GOAUDITS_QUARANTINE_AFTER: '1', GOAUDITS_RATE_LIMIT_PER_SECOND: '15' },
      inProcessWorker: false,
    });
    const first = await pipeline.startWorkerProcess('worker-a');
    await pipeline.execute<IngestionResult>(ingestionWorkflow);
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
    const damaged = spreadIds(pipeline, 30);
    damage(pipeline, `DELETE FROM GoAuditsReportAnswers WHERE GoAuditsReportId IN (${damaged.map(() => '?').join(', ')})`, ...damaged);
    pipeline.simulator.editReportsSilently({ count: 10 });

    const handle = await pipeline.start(
      reconcileWorkflow,
      { from: FROM, to: TO, details: 'all', repair: true, batchSize: 5 },
      'reconcile-killed',
    );
    await until(
      async () => pipeline.count("JobRunHistory WHERE JobName = 'GoAuditsEnrichment' AND Status = 'Running'"),
      (running) => running > 0,
      'the repair enriching',
    );
    // The progress query (and the Web UI's current details) show days checked of total and the differences so far.
    const progress = await handle.query(progressQuery);
    expect(progress).toMatchObject({ kind: 'reconcile', from: FROM, to: TO, windowsTotal: 6 });
    expect(progress.reconcile!.differences.unenriched).toBeGreaterThan(0);
    first.kill('SIGKILL');
    await pipeline.startWorkerProcess('worker-b');
    const result = (await handle.result()) as ReconcileResult;

    expect(result.found).toMatchObject({ unenriched: damaged.length, missing: 0, gone: 0 });
    expect(result.found.answersDiffer).toBeGreaterThan(0);
    expect(result.identical).toBe(true);
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
    expect(pipeline.rows("SELECT Status FROM JobRunHistory WHERE CorrelationId LIKE 'reconcile-killed/%' ORDER BY JobName")).toEqual([
      { Status: 'Succeeded' },
      { Status: 'Succeeded' },
    ]);
  });

  test('a repairing reconcile beside an hourly run and a sweep never makes two details calls for one report at once, and the tables end exact', async () => {
    const pipeline = await fixture.pipeline({
      simulator: { dataset: { reports: 120, from: FROM, to: TO, seed: 39 } },
      env: { GOAUDITS_START_DATE: FROM, GOAUDITS_QUARANTINE_AFTER: '1', GOAUDITS_RATE_LIMIT_PER_SECOND: '30' },
    });
    await pipeline.execute<IngestionResult>(ingestionWorkflow);
    // Work for all three at once: new audits and edits for the hourly run, reports to enrich for the sweep, drift for the reconcile.
    pipeline.simulator.addReports(15);
    pipeline.simulator.editReports({ count: 10 });
    pipeline.simulator.editReportsSilently({ count: 10 });
    const emptied = spreadIds(pipeline, 20);
    const list = emptied.map(() => '?').join(', ');
    damage(pipeline, `DELETE FROM GoAuditsReportAnswers WHERE GoAuditsReportId IN (${list})`, ...emptied);
    damage(pipeline, `DELETE FROM ProcessedItems WHERE JobName = 'GoAuditsEnrichment' AND ItemKey IN (${list})`, ...emptied);
    pipeline.simulator.resetCounters();

    const runs = await Promise.all([
      pipeline.start(
        reconcileWorkflow,
        { from: FROM, to: TO, details: 'all', repair: true, batchSize: 5, concurrency: 2 },
        'reconcile-beside',
      ),
      pipeline.start(ingestionWorkflow, { batchSize: 5, concurrency: 2 }, 'hourly-beside'),
      pipeline.start(enrichmentWorkflow, { batchSize: 5, concurrency: 2 }, 'sweep-beside'),
    ]);
    const [reconciled] = (await Promise.all(runs.map((run) => run.result()))) as [ReconcileResult, unknown, unknown];

    expect(pipeline.simulator.counters().detailsOverlapsById).toEqual({});
    expect(reconciled.found.unenriched + reconciled.found.answersDiffer).toBeGreaterThan(0);
    // Whatever the hourly run and the sweep left to the reconcile or took from it, the tables end as GoAudits' truth.
    expect(tablesOf(pipeline)).toEqual(truthOf(pipeline));
    const again = await pipeline.execute<ReconcileResult>(reconcileWorkflow, { from: FROM, to: daysAgo(0), details: 'all' });
    expect(again).toMatchObject({ identical: true });
  });

  test('a details check and a sweep reaching the same report: never two details calls for it at once', async () => {
    const pipeline = await ingested(41, 12);
    // One report the sweep wants (no certificate, no enrichment ledger row) that a details check of its day checks first.
    const truth = pipeline.simulator.truth().reports;
    const [report] = spreadIds(pipeline, 1);
    const day = truth.find((r) => r.id === report)!.completedAtUtc.slice(0, 10);
    const first = truth.filter((r) => r.completedAtUtc.startsWith(day)).sort((a, b) => (a.id < b.id ? -1 : 1))[0].id;
    expect(first).toBe(report);
    damage(pipeline, 'UPDATE GoAuditsReports SET CertificationNumber = NULL WHERE GoAuditsReportId = ?', report);
    damage(pipeline, "DELETE FROM ProcessedItems WHERE JobName = 'GoAuditsEnrichment' AND ItemKey = ?", report);
    // Every call takes 3 s: the sweep starts while the check's details call for the report is under way.
    pipeline.simulator.setFaults({ latencyMs: 3000 });
    pipeline.simulator.resetCounters();
    const check = await pipeline.start(reconcileWorkflow, { from: day, to: day, details: 'all' }, 'reconcile-check');
    await until(
      async () => pipeline.simulator.counters(),
      (counters) => counters.byEndpoint.summary >= 1 && counters.inFlight.details > 0,
      "the check's first details call under way",
    );
    const sweep = await pipeline.start(enrichmentWorkflow, { batchSize: 1 }, 'sweep-beside-check');
    const [checked, swept] = (await Promise.all([check.result(), sweep.result()])) as [ReconcileResult, EnrichmentResult];

    expect(pipeline.simulator.counters().detailsOverlapsById).toEqual({});
    // The check held the report: the sweep left it (no details call), and the check found its certificate missing.
    expect(swept.counts).toMatchObject({ processed: 0, failedCount: 0 });
    expect(checked.differingKeys[report]).toEqual(['certificate']);
  });

  test('a reconcile is paused, tuned, resumed and cancelled like a backfill; its --wait exits 2 when cancelled and its row says so', async () => {
    const pipeline = await ingested(43);
    pipeline.simulator.setFaults({ latencyMs: 200 });
    // A range of its own: the workflow id names the range, and other tests' reconciles ended under theirs.
    const from = daysAgo(5);
    const waiting = pipeline.runClient(['reconcile', '--from', from, '--to', TO, '--details', 'all', '--wait']);
    const workflowId = `goaudits-reconcile-${from}-${TO}`;
    const handle = pipeline.client.workflow.getHandle(workflowId);
    await until(
      () => handle.query(progressQuery),
      (progress) => progress.windowsDone >= 1,
      'a day checked',
    );
    expect(await handle.executeUpdate(pauseUpdate)).toMatchObject({ paused: true });
    const paused = await handle.query(progressQuery);
    expect(paused).toMatchObject({ kind: 'reconcile', controls: { paused: true } });
    expect(await handle.executeUpdate(tuneUpdate, { args: [{ rateLimitPerSecond: 4 }] })).toMatchObject({
      paused: true,
      rateLimitPerSecond: 4,
    });
    expect(await handle.executeUpdate(resumeUpdate)).toMatchObject({ paused: false, rateLimitPerSecond: 4 });
    await until(
      () => handle.query(progressQuery),
      (progress) => progress.windowsDone > paused.windowsDone,
      'the next day checked after resume',
    );
    const cancel = pipeline.runClient(['cancel', workflowId]);
    expect(await cancel.exited).toBe(0);
    expect(await waiting.exited).toBe(2);
    expect(waiting.stderr).toContain('reconcile was cancelled');
    expect(pipeline.rows("SELECT Status FROM JobRunHistory WHERE JobName = 'GoAuditsReconcile'")).toEqual([{ Status: 'Cancelled' }]);
  });
});
