/**
 * Spaces the starts of GoAudits calls so a run stays at or under its own rate (calls per second,
 * read each time so a `tune` update takes effect at once). Pure: the caller gives the sleep (the
 * workflow's, which keeps time deterministic, or a running activity's). `lastStartMs`: when the
 * caller's previous call started, when it made one elsewhere (a batch follows the one before it
 * in its slot); its first call then waits its spacing too.
 */
export function pacer(rate: () => number | undefined, sleep: (ms: number) => Promise<void>, lastStartMs = Number.NEGATIVE_INFINITY) {
  let last = lastStartMs;
  return async function pace(): Promise<void> {
    const perSecond = rate();
    if (perSecond !== undefined) {
      const wait = last + 1000 / perSecond - Date.now();
      if (wait > 0) await sleep(wait);
    }
    last = Date.now();
  };
}
