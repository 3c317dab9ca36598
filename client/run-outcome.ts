import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure, WorkflowFailedError } from '@temporalio/client';
import type { EnrichmentResult } from '../workflows/enrich';
import type { IngestionResult } from '../workflows/ingest';
import { isReconcileResult } from './reconcile';
import type { Progress } from '../workflows/progress';

/**
 * How a run ended, as the command's exit code says it: 0 succeeded, 1 failed, 2 cancelled,
 * terminated or timed out. (130, the client detached on Ctrl-C, is no ending of the run.)
 */
export type ExitCode = 0 | 1 | 2;

export interface Outcome {
  exitCode: ExitCode;
  /** The command's last line: `ingestion succeeded: 268 ingested, 251 enriched, 17 failed, 0 refreshed (windows 14/14)`. */
  line: string;
  /** The run's result, when it succeeded. */
  result?: unknown;
}

const isIngestionResult = (result: unknown): result is IngestionResult =>
  typeof result === 'object' && result !== null && 'enrichment' in result && 'windows' in result;
const isEnrichmentResult = (result: unknown): result is EnrichmentResult =>
  typeof result === 'object' && result !== null && 'counts' in result && !('windows' in result) && !isReconcileResult(result);

/** A run that succeeded, summed up from its result (and its last progress, which knows the windows planned). */
export function succeeded(label: string, result: unknown, last?: Progress): Outcome {
  let counts = '';
  if (isIngestionResult(result)) {
    const { counts: ingestion, enrichment, windows } = result;
    const missed = ingestion.missedDays ? `, ${ingestion.missedDays} days missed` : '';
    counts = `: ${ingestion.ingested} ingested, ${enrichment.processed} enriched, ${enrichment.failedCount} failed, ${enrichment.refreshedCount ?? 0} refreshed (windows ${windows}/${last?.windowsTotal ?? windows}${missed})`;
  } else if (isReconcileResult(result)) {
    const { days, remaining, deleted } = result.counts;
    const found = Object.values(result.found).reduce((sum, n) => sum + n, 0);
    const repaired = result.repair
      ? `, ${result.repair.ingested} ingested, ${result.repair.refreshRequested} refreshes asked, ${deleted} deleted`
      : '';
    counts = `: ${days} days, ${found} differences found${repaired}, ${remaining} remain${result.suspectDays.length ? ` (suspect days ${result.suspectDays.join(', ')})` : ''}`;
  } else if (isEnrichmentResult(result)) {
    const { selected, processed, failedCount, refreshedCount } = result.counts;
    counts = `: ${processed} enriched, ${failedCount} failed, ${refreshedCount ?? 0} refreshed of ${selected} selected`;
  }
  return { exitCode: 0, line: `${label} succeeded${counts}`, result };
}

/** A run whose result was an error: failed (with its failure's type and message), or stopped. */
export function ended(label: string, error: unknown): Outcome {
  if (!(error instanceof WorkflowFailedError)) return { exitCode: 1, line: `${label}: lost track of the run: ${failureReason(error)}` };
  const { cause } = error;
  if (cause instanceof CancelledFailure) return { exitCode: 2, line: `${label} was cancelled` };
  if (cause instanceof TerminatedFailure) return { exitCode: 2, line: `${label} was terminated` };
  if (cause instanceof TimeoutFailure) return { exitCode: 2, line: `${label} timed out` };
  return { exitCode: 1, line: `${label} failed: ${failureReason(cause ?? error)}` };
}

/**
 * Why something failed, in one line: the first typed failure of the chain as `type: message`
 * (`GoAuditsAuthHalt: authFatal: …`, `InvalidInput: invalid backfill input: …`), else each
 * error's message in turn (a failed update's reason is in its cause). A plain error thrown in a
 * workflow arrives typed `Error`, which says nothing: its message alone is given.
 */
export function failureReason(error: unknown): string {
  const messages: string[] = [];
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ApplicationFailure && cause.type && cause.type !== 'Error') return `${cause.type}: ${cause.message}`;
    messages.push(cause.message);
  }
  return messages.length ? messages.join(': ') : String(error);
}

/** The exit code of several runs: a failure first, then a stop, else success. */
export function worstExitCode(codes: ExitCode[]): ExitCode {
  return codes.includes(1) ? 1 : codes.includes(2) ? 2 : 0;
}

/** What Ctrl-C says: the client stops following, the run goes on, and how to stop it. */
export function detachedLine(workflowId: string): string {
  return `detached from ${workflowId}: the run goes on (npm run pipeline -- status shows it); to cancel it: npm run pipeline -- cancel ${workflowId}`;
}
