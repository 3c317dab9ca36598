import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { Progress } from '../workflows/progress';
import { queryProgress } from './progress-query';
import { progressView, type ProgressView } from './progress-view';
import { ended, succeeded, type Outcome } from './run-outcome';
import { jsonLog } from '../worker/process-log';

/** A run a command follows to its end. */
export interface RunToFollow {
  /** Names the run in its summary line: `ingestion`, `backfill`, a workflow id. */
  label: string;
  workflowId: string;
  /** The run's end: its handle's `result()`, which follows it across continue-as-new. */
  result: Promise<unknown>;
}

/** About once a second: the terminal's bars are redrawn at that pace. */
const POLL_EVERY_MS = 1_000;
/** A run that has not answered the progress query by then gets a note: maybe no worker polls its queue. */
const SILENT_NOTE_AFTER_MS = 10_000;

/**
 * Shows the runs' progress (on stderr, so stdout keeps the results) until each has ended, and
 * returns how each ended; `undefined` for all once `detach` aborts (the runs go on). `plain`:
 * plain lines even on a terminal, where other output would break the bars drawn in place.
 */
export async function followRuns(
  client: Client,
  runs: RunToFollow[],
  detach: AbortSignal,
  options: { plain?: boolean } = {},
): Promise<(Outcome | undefined)[]> {
  const view = progressView(process.stderr, { titles: runs.length > 1, plain: options.plain });
  try {
    return await Promise.all(runs.map((run) => followRun(client, run, view, detach)));
  } finally {
    view.stop();
  }
}

/** The last query, once the run has ended: a finished run still answers while a worker runs. */
const LAST_ANSWER_DEADLINE_MS = 2_000;

/**
 * Polls the run's progress query into the view until its result settles. A query that fails
 * (no worker yet, the run continuing as new) is tried again at the next poll.
 */
async function followRun(client: Client, run: RunToFollow, view: ProgressView, detach: AbortSignal): Promise<Outcome | undefined> {
  let end: { ok: true; result: unknown } | { ok: false; error: unknown } | undefined;
  const ending = run.result.then(
    (result) => void (end = { ok: true, result }),
    (error: unknown) => void (end = { ok: false, error }),
  );
  const detached = new Promise<void>((resolve) =>
    detach.aborted ? resolve() : detach.addEventListener('abort', () => resolve(), { once: true }),
  );
  const answer = (deadlineMs?: number) => queryProgress(client, run.workflowId, deadlineMs).catch(() => undefined);
  const silentUntilMs = Date.now() + SILENT_NOTE_AFTER_MS;
  let last: Progress | undefined;
  let noted = false;
  /** The query under way: awaited before returning, so none outlives the connection it runs on. */
  let asking: Promise<Progress | undefined> = Promise.resolve(undefined);
  while (!end && !detach.aborted) {
    const progress = await Promise.race([(asking = answer()), ending, detached]);
    if (end || detach.aborted) break;
    if (progress) view.show(run.workflowId, (last = progress));
    else if (!last && !noted && Date.now() >= silentUntilMs) {
      noted = true;
      view.note(`no progress answer yet from ${run.workflowId}: is a worker polling its task queue?`);
    }
    await Promise.race([sleep(POLL_EVERY_MS), ending, detached]);
  }
  await asking;
  if (!end) return undefined;
  // The bars end where the run did.
  const final = await answer(LAST_ANSWER_DEADLINE_MS);
  if (final) view.show(run.workflowId, (last = final));
  return end.ok ? succeeded(run.label, end.result, last) : ended(run.label, end.error);
}

/** How a run ended: its line (on stderr unless it succeeded) and, with `withResult`, a succeeded run's result as JSON (for scripts). */
export function printOutcome(outcome: Outcome, withResult: boolean): void {
  // In a JSON log, one record: the line as its message, the exit code and the result as fields.
  const log = jsonLog();
  if (log) {
    const fields = { exitCode: outcome.exitCode, ...(withResult && { result: outcome.result }) };
    if (outcome.exitCode === 0) log.always.info(fields, outcome.line);
    else log.logger.error(fields, outcome.line);
    return;
  }
  if (outcome.exitCode === 0) console.log(outcome.line);
  else console.error(outcome.line);
  if (withResult && outcome.result !== undefined) console.log(JSON.stringify(outcome.result, null, 2));
}
