import type { EnrichmentCounts, IngestionCounts } from '../shared/counts';
import type { Controls } from './controls';
import type { Window } from '../shared/plan';
import { laneWaitText, type LaneWaitInfo } from '../shared/lane-caller';

/** Where an ingestion, backfill or sweep is: the `progress` query's answer and the Web UI's current details. */
export interface Progress {
  kind: string;
  /** The range of an ingestion or backfill; absent for a sweep. */
  from?: string;
  to?: string;
  windowsDone: number;
  windowsTotal: number;
  currentWindow?: Window;
  /** Summary windows read ahead and not saved yet (absent: one at a time). */
  windowsInFlight?: number;
  /** GoAudits calls in flight now and the latency seen: the client adds them from the batches' heartbeats (client/calls-in-flight.ts). */
  calls?: CallsInFlight;
  ingestion: IngestionCounts;
  enrichment: EnrichmentCounts;
  /** Reports waiting for a batch. */
  queued: number;
  batchesRunning: number;
  controls: Controls;
  startedAtUtc: string;
  /** GoAudits calls per second over the last minute (retries not counted). */
  callsPerSecond: number;
  /** The most calls per second this run can get: the call lane's, or the run's own lower pace. */
  limitPerSecond: number;
  /** When the run should end, enrichment included; absent until calls have been made. */
  etaUtc?: string;
  /** The call lane sent the run away until a time: its budget for the day is spent, or GoAudits' quota. */
  laneWait?: LaneWaitInfo;
}

/** A run's GoAudits calls under way now (windows and batches), and the recent latency its workers see, in ms. */
export interface CallsInFlight {
  inFlight: number;
  p50Ms?: number;
  p95Ms?: number;
}

/** A run's GoAudits calls so far: one per summary window, one per report enriched or given up on. */
export function callsMade(ingestion: IngestionCounts, enrichment: EnrichmentCounts): number {
  return ingestion.pages + enrichment.processed + enrichment.failedCount;
}

/** How far back the call rate looks. */
const RECENT_MS = 60_000;

/**
 * The calls made at moments of a run, to tell its recent call rate. Kept in workflow memory
 * only: after continue-as-new the rate starts again from the next calls.
 */
export class CallRate {
  private readonly samples: { atMs: number; calls: number }[] = [];

  record(atMs: number, calls: number): void {
    this.samples.push({ atMs, calls });
    while (this.samples.length > 2 && this.samples[1].atMs <= atMs - RECENT_MS) this.samples.shift();
  }

  /** Calls per second from the oldest recent sample to `nowMs` (so a stalled run's rate falls). */
  perSecond(nowMs: number): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || nowMs <= first.atMs) return 0;
    return ((last.calls - first.calls) / (nowMs - first.atMs)) * 1000;
  }
}

/**
 * When the run should end: the calls still to make (the windows left, the reports ingested but
 * not yet enriched, and the reports the windows left should bring at the rate seen so far) at
 * the recent call rate.
 */
export function estimatedEnd(args: {
  nowMs: number;
  callsPerSecond: number;
  windowsDone: number;
  windowsTotal: number;
  ingested: number;
  enrichedOrFailed: number;
}): string | undefined {
  if (args.callsPerSecond <= 0) return undefined;
  const windowsLeft = args.windowsTotal - args.windowsDone;
  const reportsPerWindow = args.windowsDone === 0 ? 0 : args.ingested / args.windowsDone;
  const callsLeft = windowsLeft + (args.ingested - args.enrichedOrFailed) + reportsPerWindow * windowsLeft;
  return new Date(args.nowMs + (callsLeft / args.callsPerSecond) * 1000).toISOString().slice(0, 19) + 'Z';
}

const rounded = (value: number) => Math.round(value * 10) / 10;

/** The run's current details in the Web UI (and `status`), as Markdown. */
export function progressMarkdown(p: Progress): string {
  const state = p.controls.paused ? '**paused**' : p.laneWait ? '**waiting**' : 'running';
  const range = p.from && p.to ? ` ${p.from}..${p.to}` : '';
  const inFlight = p.windowsInFlight ? `, ${p.windowsInFlight} in flight` : '';
  const window = p.currentWindow ? ` (now ${p.currentWindow.startDate}..${p.currentWindow.endDate}${inFlight})` : '';
  const pace =
    p.controls.rateLimitPerSecond === undefined
      ? 'the shared call lane'
      : `its own pace of at most ${p.controls.rateLimitPerSecond} calls/s`;
  const budget = p.controls.maxCallsPerDay === undefined ? '' : `, budget ${p.controls.maxCallsPerDay} calls a day`;
  return [
    `### GoAudits ${p.kind}${range}: ${state}`,
    ...(p.laneWait ? [`- ${laneWaitText(p.laneWait)}`] : []),
    ...(p.windowsTotal > 0 ? [`- window ${p.windowsDone} of ${p.windowsTotal}${window}`] : []),
    `- reports ingested ${p.ingestion.ingested}, enriched ${p.enrichment.processed}, failed ${p.enrichment.failedCount}, waiting ${p.queued}, batches running ${p.batchesRunning}`,
    ...(p.ingestion.refreshRequested || p.enrichment.refreshedCount
      ? [
          `- reports to refresh ${p.ingestion.refreshRequested ?? 0} (edited in GoAudits, or asked for), refreshed ${p.enrichment.refreshedCount ?? 0}`,
        ]
      : []),
    `- calls ${rounded(p.callsPerSecond)}/s of at most ${rounded(p.limitPerSecond)}/s${p.etaUtc ? `, ETA ${p.etaUtc}` : ''}`,
    ...(p.calls ? [`- ${callsInFlightText(p.calls)}`] : []),
    `- batch size ${p.controls.batchSize}, concurrency ${p.controls.concurrency}, ${pace}${budget}`,
  ].join('\n');
}

/** `calls in flight 9, latency p50 410 ms, p95 820 ms`. */
export function callsInFlightText(calls: CallsInFlight): string {
  const latency =
    calls.p50Ms === undefined || calls.p95Ms === undefined
      ? ''
      : `, latency p50 ${Math.round(calls.p50Ms)} ms, p95 ${Math.round(calls.p95Ms)} ms`;
  return `calls in flight ${calls.inFlight}${latency}`;
}
