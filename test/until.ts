/**
 * Polls until `done` holds (an observable condition, never a fixed sleep); a read that fails (a
 * query before the workflow has set its handler) is tried again. On timeout the error shows the
 * last value read, to tell what the condition was waiting for.
 */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (value !== undefined) last = value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seen = last === undefined ? 'nothing read' : `last read: ${JSON.stringify(last)?.slice(0, 2000)}`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${seen})`);
}
