/** The pipeline's tables and the simulator's truth, in one comparable shape. */
import type { Pipeline } from './harness';
import { noEnrichment, type EnrichmentCounts } from '../shared/counts';

const storedTime = (iso: string) => iso.replace('T', ' ').replace('Z', '');

/** The tables as the simulator's truth should make them: one line per report and per answer. */
export function tablesOf(p: Pipeline) {
  return {
    reports: p
      .rows<{ id: string; at: string; cert: string | null }>(
        'SELECT GoAuditsReportId AS id, CompletedAtUtc AS at, CertificationNumber AS cert FROM GoAuditsReports ORDER BY 1',
      )
      .map((r) => `${r.id} ${r.at} ${r.cert ?? '-'}`),
    answers: p
      .rows<{ id: string; key: string; value: string | null; section: string | null; text: string | null }>(
        `SELECT GoAuditsReportId AS id, QuestionKey AS key, AnswerValue AS value, Section AS section, QuestionText AS text
         FROM GoAuditsReportAnswers ORDER BY 1, 2`,
      )
      .map((a) => JSON.stringify([a.id, a.key, a.value, a.section, a.text])),
  };
}

/** The simulator's truth in the shape of tablesOf (a report without Detail rows keeps no certificate). */
export function truthOf(p: Pipeline) {
  const reports = [...p.simulator.truth().reports].sort((a, b) => (a.id < b.id ? -1 : 1));
  const answers = reports
    .filter((r) => r.hasDetails)
    .flatMap((r) =>
      r.answers.map((a: { questionKey: string; answerValue: string | null; section: string | null; questionText: string | null }) =>
        JSON.stringify([r.id, a.questionKey, a.answerValue, a.section, a.questionText]),
      ),
    )
    .sort();
  return {
    reports: reports.map((r) => `${r.id} ${storedTime(r.completedAtUtc)} ${r.hasDetails ? (r.certificateNumber ?? '-') : '-'}`),
    answers,
  };
}

/** Reports whose details have no Detail rows: counted as failed by every run, as today. */
export function withoutDetails(p: Pipeline): number {
  return p.simulator.truth().reports.filter((r) => !r.hasDetails).length;
}

/**
 * The reports' enrichment counts (every report's, or those of `ids`), had one run enriched them
 * from nothing (no certificate or answer stored before).
 */
export function enrichmentOfTruth(p: Pipeline, ids?: string[]): EnrichmentCounts {
  const reports = p.simulator.truth().reports.filter((r) => ids === undefined || ids.includes(r.id));
  const enriched = reports.filter((r) => r.hasDetails);
  return {
    ...noEnrichment(),
    selected: reports.length,
    processed: enriched.length,
    certUpdatedCount: enriched.filter((r) => r.certificateNumber !== null).length,
    answersInsertedCount: enriched.reduce((n, r) => n + r.answers.length, 0),
    markedProcessedCount: enriched.length,
    certMissingCount: enriched.filter((r) => r.certificateNumber === null).length,
    failedCount: reports.length - enriched.length,
  };
}

export interface RunHistoryRow {
  RunId: string;
  JobName: string;
  Status: string;
  Message: string;
  CorrelationId: string;
}

/** The JobRunHistory rows, by job then start, as an operator's query reads them. */
export function runHistoryRows(p: Pipeline): RunHistoryRow[] {
  return p.rows<RunHistoryRow>(
    'SELECT RunId, JobName, Status, Message, CorrelationId FROM JobRunHistory ORDER BY JobName, RunStartedUtc, CreatedUtc',
  );
}

/** The `Name=N` counts of a JobRunHistory message (its `| Error: ...` left out). */
export function messageCounts(message: string): Record<string, number> {
  const counts = message.split(' | ')[0];
  return Object.fromEntries(
    counts
      .split(' ')
      .map((field) => field.split('='))
      .map(([name, n]) => [name, Number(n)]),
  );
}

/**
 * What the JobRunHistory rows add up to over every run: reports ingested, enriched (with their
 * answers and certificates). However runs were halted, continued or resumed, each report counts once.
 */
export function runHistoryTotals(p: Pipeline) {
  const rows = runHistoryRows(p);
  const total = (job: string, count: string) =>
    rows.filter((row) => row.JobName === job).reduce((n, row) => n + messageCounts(row.Message)[count], 0);
  return {
    ingested: total('GoAuditsIngestion', 'Ingested'),
    processed: total('GoAuditsEnrichment', 'Processed'),
    answersInserted: total('GoAuditsEnrichment', 'AnswersInserted'),
    certUpdated: total('GoAuditsEnrichment', 'CertUpdated'),
  };
}

/** The totals of runHistoryTotals once every report of the truth is stored and enriched. */
export function runHistoryTotalsOfTruth(p: Pipeline): ReturnType<typeof runHistoryTotals> {
  const expected = enrichmentOfTruth(p);
  return {
    ingested: expected.selected,
    processed: expected.processed,
    answersInserted: expected.answersInsertedCount,
    certUpdated: expected.certUpdatedCount,
  };
}
