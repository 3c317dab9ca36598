/** Raw API rows, shaped as GoAudits sends them, built from an audit's plan. */
import type { Json } from './answers';
import type { AuditPlan, PlannedAnswer } from './plan';
import { formatUpdatedOn } from './time';

export type ApiRow = Record<string, Json | undefined>;

/** The audit's summary row, repeated `summaryCopies` times. */
export function summaryRowsOf(audit: AuditPlan): ApiRow[] {
  const row: ApiRow = {
    ID: audit.id,
    Updated_On: formatUpdatedOn(audit.updatedOnMs),
    Status: audit.status,
    Location: audit.location,
    Checklist: audit.checklist,
    Auditor: audit.auditor,
    Score: audit.score,
  };
  return Array.from({ length: audit.summaryCopies }, () => ({ ...row }));
}

/** Header, the Detail rows with a Summary row among them, then a Signature; `[]` when planned empty. */
export function detailsRowsOf(audit: AuditPlan): ApiRow[] {
  if (audit.details === null) return [];
  const details = audit.details.map((answer) => detailRowOf(audit.id, answer));
  const middle = Math.ceil(details.length / 2);
  return [
    {
      RecordType: 'Header',
      ID: audit.id,
      Location: audit.location,
      Checklist: audit.checklist,
      Updated_On: formatUpdatedOn(audit.updatedOnMs),
    },
    ...details.slice(0, middle),
    { RecordType: 'Summary', ID: audit.id, Section: 'Overall', Question: 'Total score', Answer: audit.score },
    ...details.slice(middle),
    { RecordType: 'Signature', ID: audit.id, Question: 'Auditor signature', Answer: audit.auditor },
  ];
}

function detailRowOf(auditId: string, answer: PlannedAnswer): ApiRow {
  const row: ApiRow = { RecordType: 'Detail', ID: auditId };
  if (answer.questionId !== undefined) row.QUESTION_ID = answer.questionId;
  if (answer.question !== undefined) row.Question = answer.question;
  if (answer.answer !== undefined) row.Answer = answer.answer;
  if (answer.section !== undefined) row.Section = answer.section;
  if (answer.groupName !== undefined) row.GroupName = answer.groupName;
  return row;
}
