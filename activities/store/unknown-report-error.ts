/**
 * saveReportDetails was given a report id that GoAuditsReports does not hold. Retrying will
 * not help: the report must be ingested first. Every store adapter throws this error.
 */
export class UnknownReportError extends Error {
  override readonly name = 'UnknownReportError';

  constructor(readonly reportId: string) {
    super(`Report ${JSON.stringify(reportId)} is not in GoAuditsReports; ingest it before storing its details`);
  }
}
