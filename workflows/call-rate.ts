/** How far back the call rate looks, in time the run was running (paused and waiting time left out). */
export const RECENT_ACTIVE_MS = 60_000;

/** A run's own rate is told once this much running time, or LEAST_MEASURED_CALLS, is measured (when none was carried over). */
export const LEAST_MEASURED_MS = 10_000;
export const LEAST_MEASURED_CALLS = 20;

/**
 * A run's calls per second over its last minute of running time: the time it was paused (with no
 * batch still running) or waiting for its budget or GoAudits' quota does not count, so a pause
 * or a wait does not pull the rate down once the run goes on. The calls are the run's own
 * count of them (a window read, a report enriched or given up on), the units its work left is
 * counted in, so retries and 429 holds show as a lower rate. Kept in workflow memory: a run
 * that continued as new starts from the rate its previous history carried (`carried`).
 */
export class ActiveCallRate {
  private readonly samples: { activeMs: number; calls: number }[] = [];
  private activeMs = 0;
  private last?: { atMs: number; active: boolean };

  constructor(private readonly carried?: number) {}

  /** The run's calls so far at `atMs`, and whether it runs from now on (not paused, not waiting). */
  record(atMs: number, calls: number, active: boolean): void {
    if (this.last?.active) this.activeMs += atMs - this.last.atMs;
    this.last = { atMs, active };
    this.samples.push({ activeMs: this.activeMs, calls });
    while (this.samples.length > 2 && this.samples[1].activeMs <= this.activeMs - RECENT_ACTIVE_MS) this.samples.shift();
  }

  /** Calls per second measured over the recent running time, up to `nowMs` (so a stalled run's rate falls); 0 before any. */
  perSecond(nowMs: number): number {
    const span = this.span(nowMs);
    return span && span.ms > 0 ? (span.calls / span.ms) * 1000 : 0;
  }

  /**
   * The rate to plan by: the measured rate once a minute of running time is measured; before
   * that, the carried rate fills the part of the minute not measured yet (so the estimate moves
   * from it to the measured rate without a jump); with nothing carried, none until
   * LEAST_MEASURED_MS or LEAST_MEASURED_CALLS are measured.
   */
  forecast(nowMs: number): number | undefined {
    const span = this.span(nowMs) ?? { ms: 0, calls: 0 };
    if (span.ms >= RECENT_ACTIVE_MS || this.carried === undefined) {
      const enough = span.ms >= LEAST_MEASURED_MS || (span.ms > 0 && span.calls >= LEAST_MEASURED_CALLS);
      return enough ? (span.calls / span.ms) * 1000 : undefined;
    }
    return (span.calls + (this.carried * (RECENT_ACTIVE_MS - span.ms)) / 1000) / (RECENT_ACTIVE_MS / 1000);
  }

  /** Running time and calls from the oldest recent sample to `nowMs`. */
  private span(nowMs: number): { ms: number; calls: number } | undefined {
    const first = this.samples[0];
    const latest = this.samples[this.samples.length - 1];
    if (!first || !this.last) return undefined;
    const activeNow = this.activeMs + (this.last.active ? Math.max(0, nowMs - this.last.atMs) : 0);
    return { ms: activeNow - first.activeMs, calls: latest.calls - first.calls };
  }
}
