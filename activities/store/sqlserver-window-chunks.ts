import { inCollationOrder } from './collation-key';

/**
 * Reports per statement when a summary window is written to SQL Server. A statement that takes
 * 5,000 locks on one table escalates them to a lock on the whole table, and every worker's
 * saves then wait for the window's transaction; each statement locks at most about two keys
 * per report and table (the key, and the range before a missing one), so 1,000 reports stay
 * well below that.
 */
export const WINDOW_CHUNK_REPORTS = 1_000;

/**
 * A window's reports (distinct ids) as the chunks its statements take in turn, in one
 * transaction: in collation order, so two workers writing overlapping windows lock the shared
 * ids in the same order (no deadlock), each chunk at most `size` reports.
 */
export function windowChunks<T>(reports: readonly T[], idOf: (report: T) => string, size = WINDOW_CHUNK_REPORTS): T[][] {
  const ordered = inCollationOrder(reports, idOf);
  const chunks: T[][] = [];
  for (let start = 0; start < ordered.length; start += size) chunks.push(ordered.slice(start, start + size));
  return chunks;
}
