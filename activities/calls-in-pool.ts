/**
 * Runs `work` over `items` in order with at most `most()` under way at once (asked again each
 * time one ends, so the bound can follow the latency). Once `stop()` says so, or one fails,
 * nothing new starts; the ones under way are awaited, then the first failure is thrown.
 */
export async function inPool<T>(
  items: readonly T[],
  most: () => number,
  work: (item: T) => Promise<void>,
  stop: () => boolean,
): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let next = 0;
  for (;;) {
    while (failure === undefined && !stop() && next < items.length && running.size < Math.max(1, most())) {
      const started: Promise<void> = work(items[next++])
        .catch((error: unknown) => void (failure ??= { error }))
        .finally(() => running.delete(started));
      running.add(started);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  if (failure !== undefined) throw failure.error;
}
