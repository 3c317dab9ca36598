/**
 * Spaces the starts of GoAudits calls so a run stays at or under its own rate (calls per second,
 * read each time so a `tune` update takes effect at once). Pure: the caller gives the sleep (the
 * workflow's, which keeps time deterministic, or a running activity's).
 */
export function pacer(rate: () => number | undefined, sleep: (ms: number) => Promise<void>) {
  let last = Number.NEGATIVE_INFINITY;
  return async function pace(): Promise<void> {
    const perSecond = rate();
    if (perSecond !== undefined) {
      const wait = last + 1000 / perSecond - Date.now();
      if (wait > 0) await sleep(wait);
    }
    last = Date.now();
  };
}
