import { fromSqliteUtc } from './sqlite-time';
import type { HeldReport } from './store';

/**
 * A HeldReport as both stores' statements read it: CompletedAtUtc as stored UTC text
 * ('YYYY-MM-DD HH:MM:SS', what SQL Server's style 120 prints), flags as 0 or 1.
 */
export interface HeldReportRow {
  reportId: string;
  completedAt: string;
  summaryFingerprint: string | null;
  answers: number;
  certificateNumber: string | null;
  quarantined: 0 | 1;
  refreshRequested: 0 | 1;
  ingestionLedger: 0 | 1;
  enrichmentLedger: 0 | 1;
}

/** The rows as HeldReports, by id (as JavaScript compares text, whatever the database's collation). */
export function heldReportsById(rows: readonly HeldReportRow[]): HeldReport[] {
  return rows
    .map(({ completedAt, quarantined, refreshRequested, ingestionLedger, enrichmentLedger, ...report }) => ({
      ...report,
      completedAtUtc: fromSqliteUtc(completedAt),
      quarantined: quarantined === 1,
      refreshRequested: refreshRequested === 1,
      ingestionLedger: ingestionLedger === 1,
      enrichmentLedger: enrichmentLedger === 1,
    }))
    .sort((a, b) => (a.reportId < b.reportId ? -1 : a.reportId > b.reportId ? 1 : 0));
}
