import type { JobName } from './jobs';

/**
 * What activities hand workflows about runs, windows and the store: the records both sides of
 * the workflow/activity boundary name.
 */

export interface IngestedWindow {
  fetched: number;
  eligible: number;
  skipped: number;
  alreadyProcessed: number;
  /** Ids stored for the first time by this window, for enrichment. */
  ingestedIds: string[];
  /**
   * Ids stored earlier whose details are to be fetched again (edited, or `refreshStored`).
   * Absent from results recorded before 0.3.0.
   */
  refreshIds?: string[];
  watermarkUtc: string | null;
  /** The newest Updated_On the window stored, capped at the time it was read (absent before windows were read ahead). */
  newestUtc?: string | null;
  /** How many windows the latency this worker sees asks to keep in flight (absent before windows were read ahead). */
  windowsAhead?: number;
}

export interface RunRef {
  runId: string;
  job: JobName;
  correlationId: string;
  /** When the workflow started the run (workflow time). */
  startedAtUtc: string;
}

export type FinishedStatus = 'Succeeded' | 'Failed' | 'Cancelled';

/** A report whose enrichment failed as often as the quarantine allows: sweeps skip it. */
export interface QuarantinedReport {
  reportId: string;
  failures: number;
  lastError: string;
  /** ISO `Z`. */
  lastFailedUtc: string;
}

/** A summary day whose call still failed after its tries: later runs read it again until it succeeds. */
export interface MissedDay {
  /** YYYY-MM-DD. */
  day: string;
  failures: number;
  lastError: string;
  /** ISO `Z`. */
  lastFailedUtc: string;
}
