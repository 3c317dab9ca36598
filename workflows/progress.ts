import type { EnrichmentCounts, IngestionCounts } from './counts';
import type { Controls } from './controls';
import type { Window } from './plan';

/** What an ingestion or backfill has done so far: the `progress` query's answer. */
export interface Progress {
  kind: string;
  from: string;
  to: string;
  windowsDone: number;
  windowsTotal: number;
  currentWindow?: Window;
  ingestion: IngestionCounts;
  enrichment: EnrichmentCounts;
  controls: Controls;
  startedAtUtc: string;
  /** Reports ingested per minute since the start. */
  reportsPerMinute: number;
  /** Estimated end, from the pace of the windows so far; absent until one is done. */
  etaUtc?: string;
}

/** Rate and ETA from the windows done so far at `nowMs`. */
export function pace(args: { startedAtUtc: string; nowMs: number; windowsDone: number; windowsTotal: number; ingested: number }) {
  const elapsedMs = Math.max(1, args.nowMs - Date.parse(args.startedAtUtc));
  const reportsPerMinute = Math.round((args.ingested / elapsedMs) * 60_000 * 10) / 10;
  if (args.windowsDone === 0) return { reportsPerMinute };
  const remainingMs = (elapsedMs / args.windowsDone) * (args.windowsTotal - args.windowsDone);
  return { reportsPerMinute, etaUtc: new Date(args.nowMs + remainingMs).toISOString().slice(0, 19) + 'Z' };
}

/** The run's current details in the Web UI, as Markdown. */
export function progressMarkdown(p: Progress): string {
  const state = p.controls.paused ? '**paused**' : 'running';
  const window = p.currentWindow ? ` (now ${p.currentWindow.startDate}..${p.currentWindow.endDate})` : '';
  return [
    `### GoAudits ${p.kind} ${p.from}..${p.to}: ${state}`,
    `- window ${p.windowsDone} of ${p.windowsTotal}${window}`,
    `- reports ingested ${p.ingestion.ingested}, enriched ${p.enrichment.processed}, failed ${p.enrichment.failedCount}`,
    `- rate ${p.reportsPerMinute} reports/min${p.etaUtc ? `, ETA ${p.etaUtc}` : ''}`,
    `- batch size ${p.controls.batchSize}, concurrency ${p.controls.concurrency}, ${p.controls.rateLimitPerSecond === undefined ? "the task queue's rate limit" : `at most ${p.controls.rateLimitPerSecond} calls/s`}`,
  ].join('\n');
}
