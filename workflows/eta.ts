/** What a run still has to do, as its windows and reports say it. */
export interface WorkLeft {
  windowsDone: number;
  windowsTotal: number;
  /** Reports queued for enrichment so far: ingested, and to refresh (carried over included). */
  reportsKnown: number;
  /** Reports enrichment is done with: enriched, given up on, left to another run (running batches included). */
  reportsDone: number;
}

/**
 * The calls still to make: one per window left, one per report known and not done, and one per
 * report the windows left should bring at the reports per window seen so far. Unknown while
 * windows are left and none has been read.
 */
export function callsLeft({ windowsDone, windowsTotal, reportsKnown, reportsDone }: WorkLeft): number | undefined {
  const windowsLeft = Math.max(0, windowsTotal - windowsDone);
  if (windowsLeft > 0 && windowsDone === 0) return undefined;
  const expected = windowsLeft === 0 ? 0 : (reportsKnown / windowsDone) * windowsLeft;
  return windowsLeft + Math.max(0, reportsKnown - reportsDone) + expected;
}

/** A run's ETA: when it should end, or why none is given. */
export type Eta = { endUtc: string } | { none: 'paused' | 'no window read yet' | 'too little running time yet' };

/**
 * When the run should end: after the wait it is in, if any, its calls left at the rate it
 * really gets. None while it is paused (its end depends on when it is resumed), nor until both
 * its work left and its rate can be told.
 */
export function runEta(args: {
  nowMs: number;
  paused: boolean;
  /** Until when (epoch ms) the run waits before its next call: its budget, or GoAudits' quota. */
  waitingUntilMs?: number;
  callsLeft: number | undefined;
  callsPerSecond: number | undefined;
}): Eta {
  if (args.paused) return { none: 'paused' };
  if (args.callsLeft === undefined) return { none: 'no window read yet' };
  if (args.callsLeft > 0 && !args.callsPerSecond) return { none: 'too little running time yet' };
  const startMs = Math.max(args.nowMs, args.waitingUntilMs ?? args.nowMs);
  const endMs = startMs + (args.callsLeft > 0 ? (args.callsLeft / args.callsPerSecond!) * 1000 : 0);
  return { endUtc: new Date(endMs).toISOString().slice(0, 19) + 'Z' };
}
