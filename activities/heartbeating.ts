import { Context } from '@temporalio/activity';

/** What a heartbeating activity lends its work. */
export interface RunningActivity<P> {
  /** A sleep that ends with the activity's cancellation. */
  sleep: (ms: number) => Promise<void>;
  /** Aborted when the activity is cancelled: pass it to HTTP calls. */
  signal: AbortSignal;
  /** Records progress: heartbeated now and with every later beat. */
  heartbeat: (progress: P) => void;
  /** The progress an earlier attempt heartbeated last. */
  resumed?: P;
}

/**
 * How often a running GoAudits activity tells Temporal it is alive, and so learns soon of a
 * cancellation (the API worker throttles heartbeats to one a second, see worker/workers.ts).
 */
const HEARTBEAT_EVERY_MS = 1_000;

/**
 * Runs `work` as the current activity: it heartbeats every second (with the latest progress, so
 * a retry resumes there) while it waits in the lane or for GoAudits, and its sleeps and HTTP
 * calls end when the activity is cancelled; whatever error that causes, the activity then ends
 * as cancelled.
 */
export async function heartbeating<P, T>(work: (activity: RunningActivity<P>) => Promise<T>): Promise<T> {
  const context = Context.current();
  let progress = context.info.heartbeatDetails as P | undefined;
  const beat = () => context.heartbeat(progress);
  const timer = setInterval(beat, HEARTBEAT_EVERY_MS);
  try {
    return await work({
      sleep: (ms) => context.sleep(ms),
      signal: context.cancellationSignal,
      heartbeat(next) {
        progress = next;
        beat();
      },
      resumed: progress,
    });
  } catch (error) {
    context.cancellationSignal.throwIfAborted();
    throw error;
  } finally {
    clearInterval(timer);
  }
}
