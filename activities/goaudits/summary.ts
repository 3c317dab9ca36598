import { z } from 'zod';
import type { SummaryReport } from './records';
import { expectArray } from './response-shape';
import { summaryFingerprint } from './summary-fingerprint';

/**
 * One row of the summary answer. Only `ID` and `Updated_On` are read; a missing or
 * wrongly typed value reads as undefined (the row is then skipped), other fields pass through.
 */
export const summaryRowSchema = z.looseObject({
  ID: z.union([z.string(), z.number()]).nullish().catch(undefined),
  Updated_On: z.string().nullish().catch(undefined),
});

export type SummaryRow = z.infer<typeof summaryRowSchema>;

/** The reports of one summary window, with the counts the ingestion run logs. */
export interface NormalisedSummary {
  /** De-duplicated by id, in order of first appearance; `eligible` is `reports.length`. */
  reports: SummaryReport[];
  /** Rows received. */
  fetched: number;
  /** Rows without a usable id or `Updated_On`, or whose id cannot fit its column (duplicates are not counted here). */
  skipped: number;
  /** `skipped`, by reason, for the log. */
  skippedBy: Partial<Record<SkipReason, number>>;
}

export type SkipReason = 'no id' | 'no Updated_On' | `id over ${typeof REPORT_ID_MAX_LENGTH} characters`;

/** GoAuditsReports.GoAuditsReportId is nvarchar(100). */
export const REPORT_ID_MAX_LENGTH = 100;

/**
 * Turns the summary endpoint's answer into reports, each with the fingerprint of its rows.
 * Throws a `bad-response` GoAuditsError
 * when the body is not an array. When an id appears more than once, its latest time is kept;
 * ids that differ only by case are one report, as SQL Server's case-insensitive keys see them
 * (the first spelling is kept).
 */
export function normaliseSummary(body: unknown): NormalisedSummary {
  const rows = expectArray('summary', body);
  const latest = new Map<string, Omit<SummaryReport, 'summaryFingerprint'>>();
  const rowsOf = new Map<string, unknown[]>();
  const skippedBy: NormalisedSummary['skippedBy'] = {};
  const skip = (reason: SkipReason) => void (skippedBy[reason] = (skippedBy[reason] ?? 0) + 1);
  for (const raw of rows) {
    const row = summaryRowSchema.safeParse(raw);
    const id = row.success ? reportId(row.data.ID) : null;
    const completedAtUtc = row.success ? completedAt(row.data.Updated_On) : null;
    if (id === null) skip('no id');
    else if (id.length > REPORT_ID_MAX_LENGTH) skip(`id over ${REPORT_ID_MAX_LENGTH} characters`);
    else if (completedAtUtc === null) skip('no Updated_On');
    else {
      const key = id.toLowerCase();
      rowsOf.set(key, [...(rowsOf.get(key) ?? []), raw]);
      const seen = latest.get(key);
      if (seen === undefined) latest.set(key, { id, completedAtUtc });
      else if (completedAtUtc > seen.completedAtUtc) seen.completedAtUtc = completedAtUtc;
    }
  }
  const skipped = Object.values(skippedBy).reduce((sum, n) => sum + n, 0);
  const reports = [...latest].map(([key, report]) => ({ ...report, summaryFingerprint: summaryFingerprint(rowsOf.get(key)!) }));
  return { reports, fetched: rows.length, skipped, skippedBy };
}

/** `ID` trimmed; numbers are stringified; null when missing or blank. */
function reportId(value: SummaryRow['ID']): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  const id = value?.trim();
  return id ? id : null;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z?$/;

/**
 * `Updated_On` ("YYYY-MM-DD HH:mm:ss", no zone, read as UTC; also "YYYY-MM-DDTHH:mm:ss"
 * with an optional fraction and Z) as "YYYY-MM-DDTHH:mm:ssZ", the fraction dropped.
 * Null when missing, malformed or not a real calendar time.
 */
function completedAt(value: SummaryRow['Updated_On']): string | null {
  const match = TIMESTAMP.exec(value?.trim() ?? '');
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const real =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return real ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
}
