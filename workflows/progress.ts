import type { EnrichmentCounts, IngestionCounts } from '../shared/counts';
import type { Controls } from './controls';
import type { Window } from '../shared/plan';
import { DIFFERENCE_CLASSES, type ClassCounts } from '../shared/reconcile';
import type { ActiveCallRate } from './call-rate';
import { callsLeft, runEta, type Eta } from './eta';
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
  /** When the run should end, enrichment and any wait included; absent when it cannot be told (see noEtaBecause). */
  etaUtc?: string;
  /** A reconcile's: its windows are the days of its range; the differences it found so far, and what it does now. */
  reconcile?: { differences: ClassCounts; suspectDays: number; phase: string };
  /** Why there is no ETA: the run is paused, has read no window yet, or has run too little to tell its rate. */
  noEtaBecause?: Extract<Eta, { none: string }>['none'];
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

/** Reports an enrichment is done with: enriched, given up on (failed), or left to the run that holds them. */
export function reportsDone(enrichment: EnrichmentCounts): number {
  return enrichment.processed + enrichment.failedCount + enrichment.enrichedElsewhereCount;
}

/**
 * The pace and ETA of a run's progress, from its recent calls (see ActiveCallRate): the calls
 * per second it gets (0 while it is not running), and when it should end or why that cannot be told.
 */
export function paceAndEta(args: {
  nowMs: number;
  rate: ActiveCallRate;
  limitPerSecond: number;
  paused: boolean;
  /** The call lane's wait the run is in, if any: for its budget, or for GoAudits' quota. */
  laneWait?: LaneWaitInfo;
  windowsDone: number;
  windowsTotal: number;
  enrichment: EnrichmentCounts;
}): Pick<Progress, 'callsPerSecond' | 'limitPerSecond' | 'etaUtc' | 'noEtaBecause' | 'laneWait'> {
  const { nowMs, rate, paused, laneWait, windowsDone, windowsTotal, enrichment } = args;
  const eta = runEta({
    nowMs,
    paused,
    waitingUntilMs: laneWait?.untilMs,
    callsLeft: callsLeft({ windowsDone, windowsTotal, reportsKnown: enrichment.selected, reportsDone: reportsDone(enrichment) }),
    callsPerSecond: rate.forecast(nowMs),
  });
  return {
    callsPerSecond: paused || laneWait ? 0 : rate.perSecond(nowMs),
    limitPerSecond: args.limitPerSecond,
    ...('endUtc' in eta ? { etaUtc: eta.endUtc } : { noEtaBecause: eta.none }),
    ...(laneWait ? { laneWait } : {}),
  };
}

const rounded = (value: number) => Math.round(value * 10) / 10;

/** `ETA 2025-11-01T11:00:00Z`, or why there is none: `paused`, `no ETA yet (no window read yet)`. */
function etaText(p: Progress): string {
  if (p.etaUtc) return `ETA ${p.etaUtc}`;
  return p.noEtaBecause === 'paused' ? 'paused' : `no ETA yet (${p.noEtaBecause ?? 'no calls yet'})`;
}

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
    ...(p.reconcile ? reconcileLines(p.reconcile, p) : []),
    ...(p.windowsTotal > 0 && !p.reconcile ? [`- window ${p.windowsDone} of ${p.windowsTotal}${window}`] : []),
    `- reports ingested ${p.ingestion.ingested}, enriched ${p.enrichment.processed}, failed ${p.enrichment.failedCount}, waiting ${p.queued}, batches running ${p.batchesRunning}`,
    ...(p.ingestion.refreshRequested || p.enrichment.refreshedCount
      ? [
          `- reports to refresh ${p.ingestion.refreshRequested ?? 0} (edited in GoAudits, or asked for), refreshed ${p.enrichment.refreshedCount ?? 0}`,
        ]
      : []),
    `- calls ${rounded(p.callsPerSecond)}/s of at most ${rounded(p.limitPerSecond)}/s, ${etaText(p)}`,
    ...(p.calls ? [`- ${callsInFlightText(p.calls)}`] : []),
    `- batch size ${p.controls.batchSize}, concurrency ${p.controls.concurrency}, ${pace}${budget}`,
  ].join('\n');
}

/** A reconcile's lines: days checked and the differences found so far. */
function reconcileLines(r: NonNullable<Progress['reconcile']>, p: Progress): string[] {
  const now = p.currentWindow ? ` (now ${p.currentWindow.startDate})` : '';
  const found = DIFFERENCE_CLASSES.map((name) => `${name} ${r.differences[name]}`).join(', ');
  return [
    `- days checked ${p.windowsDone} of ${p.windowsTotal}${now}; ${r.phase}`,
    `- differences so far: ${found}${r.suspectDays ? `; suspect days ${r.suspectDays}` : ''}`,
  ];
}

/** `calls in flight 9, latency p50 410 ms, p95 820 ms`. */
export function callsInFlightText(calls: CallsInFlight): string {
  const latency =
    calls.p50Ms === undefined || calls.p95Ms === undefined
      ? ''
      : `, latency p50 ${Math.round(calls.p50Ms)} ms, p95 ${Math.round(calls.p95Ms)} ms`;
  return `calls in flight ${calls.inFlight}${latency}`;
}
