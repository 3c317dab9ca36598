import { sleep } from '@temporalio/workflow';

/**
 * Spaces the starts of GoAudits calls so this run stays at or under its own rate (calls per
 * second, read each time so a `tune` update takes effect at once). Uses workflow time only.
 */
export function pacer(rate: () => number | undefined) {
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
