/**
 * The normalised records that flow one way: API row → record → store.
 * Nothing here knows about HTTP or SQL.
 */

/** One audit from the summary endpoint, de-duplicated by id. */
export interface SummaryReport {
  /** GoAudits audit id (`ID`), trimmed, never empty. */
  id: string;
  /** `Updated_On` read as UTC, as an ISO-8601 string ending in `Z`, whole seconds. */
  completedAtUtc: string;
  /**
   * A hash of everything the summary says of the audit (all its rows, every field): a stored
   * report whose fingerprint changes was edited, even when `Updated_On` did not move.
   */
  summaryFingerprint: string;
}

/** One answer row of a report (`RecordType == "Detail"`). */
export interface Answer {
  /** `QUESTION_ID`, or the slugged question text (max 256 characters). */
  questionKey: string;
  /** The answer as text: strings as-is, numbers/booleans stringified, objects/arrays as JSON; null stays null. Never cut. */
  answerValue: string | null;
  /** `Section`, joined with `GroupName` by " | " unless that is "N/A"; null when both are absent. */
  section: string | null;
  /** `Question`, cut to 1000 characters; null when absent. */
  questionText: string | null;
}

/** Everything enrichment stores for one report. */
export interface ReportDetails {
  reportId: string;
  /** One answer per key (the first row for a key wins). */
  answers: Answer[];
  /** The answer to question "1" or to a question naming "Certificate Number"; null when blank or missing. */
  certificateNumber: string | null;
}
