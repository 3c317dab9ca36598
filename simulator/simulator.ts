import type { Counters } from './counters';
import type { DeleteRequest, EditRequest, ReopenRequest, SilentEditRequest, Truth } from './dataset';
import type { FaultPatch } from './options';

/** A running GoAudits simulator, as tests and the control endpoints drive it (started by server.ts). */
export interface Simulator {
  /** Base URL, e.g. `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly summaryUrl: string;
  readonly detailsUrl: string;
  truth(): Truth;
  counters(): Counters;
  resetCounters(): void;
  /** Changes latency, rate limit and fault options; throws a ValidationError naming a bad field. */
  setFaults(patch: FaultPatch): void;
  /** Rotates the valid token and lifts a revocation. */
  setToken(token: string): void;
  /** Appends Completed audits (now, by default) and returns their ids. */
  addReports(count: number, options?: { on?: string | Date }): string[];
  /**
   * Edits Completed audits as a user would: exactly one of `ids` and `count` (picked at random).
   * Returns their ids; throws a ValidationError naming a bad request.
   */
  editReports(request: EditRequest): string[];
  /**
   * Deletes audits in GoAudits: exactly one of `ids` (any audit) and `count` (Completed ones, at
   * random). They leave the summary, the details (answered `[]`, as for an unknown id) and the truth.
   */
  deleteReports(request: DeleteRequest): string[];
  /**
   * Turns Completed audits back to `status` (`In Progress` by default): the summary lists them for
   * that status only (so ingestion skips them) and the truth leaves them.
   */
  reopenReports(request: ReopenRequest): string[];
  /**
   * Edits audits silently: their answers (`change: 'answers'`, the default), certificate or both
   * change, while `Updated_On` and every summary field stay (the summary fingerprint too); the
   * truth follows. Which audits: as editReports.
   */
  editReportsSilently(request: SilentEditRequest): string[];
  close(): Promise<void>;
}
