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
  /** In time order: calls are admitted as their bodies are read, which may be a little out of arrival order. */
  const admit = (now: number): void => {
    let at = times.length;
    while (at > 0 && times[at - 1] > now) at--;
    times.splice(at, 0, now);
  };
  return { count, admit };
}
