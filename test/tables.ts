/** The pipeline's tables and the simulator's truth, in one comparable shape. */
import type { Pipeline } from './harness';

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
    .flatMap((r) => r.answers.map((a: { questionKey: string; answerValue: string | null; section: string | null; questionText: string | null }) => JSON.stringify([r.id, a.questionKey, a.answerValue, a.section, a.questionText])))
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

