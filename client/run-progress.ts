import { laneWaitText } from '../shared/lane-caller';
import { callsInFlightText, reportsDone, type Progress } from '../workflows/progress';

/** One phase of a run as a bar: the windows read, or the reports enriched of those queued for enrichment. */
export interface PhaseBar {
  name: 'windows' | 'reports';
  value: number;
  total: number;
  /** What the bar's numbers do not say (the window being read; enriched and failed reports). */
  detail: string;
}

/** A run's progress as the terminal shows it: its bars, then one line for the pace and the ETA. */
export interface ProgressPicture {
  /** `backfill 2025-10-01..2025-10-31`, `ingestion 2025-11-26..2025-11-27`, `sweep`. */
  title: string;
  bars: PhaseBar[];
  pace: string;
}

/** The phase a run is in, for plain lines: a change of phase is shown at once. */
export type Phase = 'windows' | 'reports' | 'paused';

/** The operator's name of a run kind: an hourly run is an ingestion, an enrichment run a sweep. */
const KIND_NAMES: Record<string, string> = { hourly: 'ingestion', backfill: 'backfill', enrichment: 'sweep' };

export function progressPicture(p: Progress, nowMs: number): ProgressPicture {
  const range = p.from && p.to ? ` ${p.from}..${p.to}` : '';
  const done = reportsDone(p.enrichment);
  const { refreshedCount, failedCount, enrichedElsewhereCount } = p.enrichment;
  const reportDetail = [
    `enriched ${p.enrichment.processed}`,
    ...(refreshedCount ? [`refreshed ${refreshedCount}`] : []),
    `failed ${failedCount}`,
    ...(enrichedElsewhereCount ? [`left to another run ${enrichedElsewhereCount}`] : []),
  ].join(', ');
  const window = p.currentWindow ? `now ${p.currentWindow.startDate}..${p.currentWindow.endDate}` : '';
  return {
    title: `${KIND_NAMES[p.kind] ?? p.kind}${range}`,
    bars: [
      ...(p.windowsTotal > 0 ? [{ name: 'windows' as const, value: p.windowsDone, total: p.windowsTotal, detail: window }] : []),
      { name: 'reports', value: done, total: Math.max(p.enrichment.selected, done), detail: reportDetail },
    ],
    pace: [
      ...(p.laneWait ? [laneWaitText(p.laneWait)] : []),
      `calls ${oneDecimal(p.callsPerSecond)}/s of at most ${oneDecimal(p.limitPerSecond)}/s`,
      ...(p.calls ? [callsInFlightText(p.calls)] : []),
      etaShown(p, nowMs),
    ].join(', '),
  };
}

/** `ETA 3m 05s` (the time left), `paused` (a paused run has no ETA), or `no ETA yet`. */
function etaShown(p: Progress, nowMs: number): string {
  if (p.controls.paused) return 'paused';
  return p.etaUtc ? `ETA ${timeLeft(Date.parse(p.etaUtc) - nowMs)}` : 'no ETA yet';
}

/**
 * The picture as one plain line, for a log or a pipe:
 * `backfill 2025-10-01..2025-10-05: windows 3/5 (now 2025-10-04..2025-10-04), reports 20/40 (enriched 19, failed 1), calls 4.8/s of at most 4.8/s, ETA 9s`.
 */
export function progressLine(picture: ProgressPicture): string {
  const bars = picture.bars.map((bar) => `${bar.name} ${bar.value}/${bar.total}${bar.detail ? ` (${bar.detail})` : ''}`);
  return `${picture.title}: ${[...bars, picture.pace].join(', ')}`;
}

export function phaseOf(p: Progress): Phase {
  if (p.controls.paused) return 'paused';
  return p.windowsDone < p.windowsTotal ? 'windows' : 'reports';
}

/** The last plain line shown for a run. */
export interface Shown {
  atMs: number;
  phase: Phase;
}

/** Every 5 s, a plain line; and at once when the run enters another phase. */
export const PLAIN_LINE_EVERY_MS = 5_000;

/** Whether a plain line is due: the first one, one after a change of phase, else one every `PLAIN_LINE_EVERY_MS`. */
export function lineDue(last: Shown | undefined, now: Shown): boolean {
  return !last || last.phase !== now.phase || now.atMs - last.atMs >= PLAIN_LINE_EVERY_MS;
}

/** `9s`, `3m 05s`, `2h 04m`; a moment already past is `0s`. */
export function timeLeft(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h ${pad(Math.floor(seconds / 60) % 60)}m`;
}

const oneDecimal = (value: number) => String(Math.round(value * 10) / 10);
