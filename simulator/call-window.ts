/** The instants of admitted calls over the last second: the rate limiter's window and the peak meter. */
export const WINDOW_MS = 1000;

export interface CallWindow {
  /** Calls admitted in (now - 1000 ms, now]. */
  count(now: number): number;
  admit(now: number): void;
}

export function createCallWindow(): CallWindow {
  const times: number[] = [];
  const count = (now: number): number => {
    while (times.length > 0 && now - times[0] >= WINDOW_MS) times.shift();
    return times.length;
  };
  return { count, admit: (now) => void times.push(now) };
}
