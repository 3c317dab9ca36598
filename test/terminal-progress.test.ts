import { until } from './until';
import { usePipelines, type ClientRun, type Pipeline } from './harness';
import { backfillWorkflowId } from '../client/backfill';
import { pauseUpdate, resumeUpdate } from '../workflows/controls';

jest.setTimeout(180_000);

const fixture = usePipelines();

/**
 * Five days of audits (the harness's 60) at 5 GoAudits calls a second, in batches of 5: a run of about
 * 14 s whose counts move every second or so, long enough for several progress updates.
 */
const slowPipeline = (simulator = {}) =>
  fixture.pipeline({
    simulator,
    env: {
      GOAUDITS_START_DATE: '2025-10-01',
      GOAUDITS_END_DATE: '2025-10-05',
      GOAUDITS_RATE_LIMIT_PER_SECOND: '5',
      GOAUDITS_ENRICH_BATCH_SIZE: '5',
    },
  });

const ESCAPE = '\x1b';
/** Control sequences, and the carriage returns a terminal adds to each line feed. */
const withoutControls = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '\n').replace(/\r/g, '');
/** Reports done of reports queued, in each progress shown: `reports 20/60`, `reports ███░░ 20/60`. */
const reportCounts = (text: string) =>
  [...withoutControls(text).matchAll(/reports [^\n]*?(\d+)\/(\d+)/g)].map((m) => ({ done: Number(m[1]), total: Number(m[2]) }));
const neverDown = (values: number[]) => values.every((value, i) => i === 0 || value >= values[i - 1]);
/** The last line that is not the result's JSON. */
const lastLine = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((line) => !/^[{}[\] ]/.test(line))
    .pop();
const reports = (pipeline: Pipeline) => pipeline.simulator.truth().reports.length;

/** Runs the checks on a client's output, and shows the output when one fails. */
function checkOutput(run: ClientRun, checks: () => void): void {
  try {
    checks();
  } catch (error) {
    (error as Error).message += `\n--- the client's output ---\n${JSON.stringify(run.output)}`;
    throw error;
  }
}

test('ingest on a terminal redraws its bars in place, then ends with its summary and exit code 0', async () => {
  const pipeline = await slowPipeline();
  const run = pipeline.runClient(['ingest'], { tty: true });
  const code = await run.exited;
  checkOutput(run, () => {
    expect(code).toBe(0);
    // Each redraw moves the cursor back up over the run's lines and rewrites them.
    expect(run.output.match(/\x1b\[\d+A/g)?.length ?? 0).toBeGreaterThanOrEqual(3);
    const counts = reportCounts(run.output);
    const done = counts.map((c) => c.done);
    expect(neverDown(done)).toBe(true);
    expect(new Set(done).size).toBeGreaterThanOrEqual(3);
    expect(counts.at(-1)).toEqual({ done: reports(pipeline), total: reports(pipeline) });
    const text = withoutControls(run.output);
    expect(text).toMatch(/windows [^\n]*5\/5/);
    expect(text).toMatch(/calls [\d.]+\/s of at most [\d.]+\/s/);
    expect(lastLine(text)).toMatch(
      new RegExp(`^ingestion succeeded: ${reports(pipeline)} ingested, \\d+ enriched, \\d+ failed, 0 refreshed \\(windows 5/5\\)$`),
    );
  });
});

test('backfill --wait through a pipe writes plain progress lines every few seconds, then its summary, and exits 0', async () => {
  const pipeline = await slowPipeline();
  const run = pipeline.runClient(['backfill', '--from', '2025-10-01', '--to', '2025-10-05', '--wait']);
  const code = await run.exited;
  checkOutput(run, () => {
    expect(code).toBe(0);
    expect(run.output).not.toContain(ESCAPE);
    for (const line of run.stderr.trim().split('\n')) {
      expect(line).toMatch(
        /^backfill 2025-10-01\.\.2025-10-05: (windows \d\/5( \(now [\d-]+\.\.[\d-]+\))?, )?reports \d+\/\d+ \(enriched \d+, failed \d+\), calls /,
      );
    }
    const done = reportCounts(run.stderr).map((c) => c.done);
    expect(neverDown(done)).toBe(true);
    expect(new Set(done).size).toBeGreaterThanOrEqual(2);
    expect(run.stdout).toMatch(/^backfill started: goaudits-backfill-2025-10-01-2025-10-05\n/);
    expect(lastLine(run.stdout)).toMatch(
      new RegExp(`^backfill succeeded: ${reports(pipeline)} ingested, \\d+ enriched, \\d+ failed, 0 refreshed \\(windows 5/5\\)$`),
    );
    expect(JSON.parse(run.stdout.slice(run.stdout.indexOf('\n{')))).toMatchObject({ counts: { ingested: reports(pipeline) }, windows: 5 });
  });
});

test('a run that fails exits 1 and names the failure type; a bad range is refused before it starts', async () => {
  const pipeline = await slowPipeline({ revokeTokenAfterCalls: 20 });
  const halted = pipeline.runClient(['ingest']);
  const code = await halted.exited;
  checkOutput(halted, () => {
    expect(code).toBe(1);
    expect(lastLine(halted.stderr)).toMatch(
      /^ingestion failed: GoAuditsAuthHalt: authFatal: GoAuditsIngestion halted because GoAudits refused the token/,
    );
  });

  const refused = pipeline.runClient(['backfill', '--from', '2030-01-01', '--wait']);
  expect(await refused.exited).toBe(1);
  expect(refused.stderr).toMatch(/^InvalidInput: invalid backfill input: `from` is after `to`/m);
});

test('Ctrl-C detaches and names the cancel command, the run goes on, and status --watch follows it to its end', async () => {
  const pipeline = await slowPipeline();
  const workflowId = backfillWorkflowId('2025-10-01', '2025-10-05');
  const waiting = pipeline.runClient(['backfill', '--from', '2025-10-01', '--to', '2025-10-05', '--wait']);
  await until(
    async () => waiting.stderr,
    (text) => /reports \d+\/\d+/.test(text),
    'a progress line',
  );
  waiting.child.kill('SIGINT');
  expect(await waiting.exited).toBe(130);
  expect(waiting.stderr).toContain(`detached from ${workflowId}: the run goes on`);
  expect(waiting.stderr).toContain(`npm run pipeline -- cancel ${workflowId}`);
  const handle = pipeline.client.workflow.getHandle(workflowId);
  expect((await handle.describe()).status.name).toBe('RUNNING');

  // Held until the watch shows it, however slowly the client starts.
  await handle.executeUpdate(pauseUpdate);
  const watching = pipeline.runClient(['status', '--watch']);
  await until(
    async () => watching.stderr,
    (text) => /reports \d+\/\d+ .*, paused$/m.test(text),
    'the watch to show the paused run',
  );
  await handle.executeUpdate(resumeUpdate);
  expect(await watching.exited).toBe(0);
  expect(watching.stdout).toContain(`${workflowId}  `);
  expect(lastLine(watching.stdout)).toMatch(new RegExp(`^${workflowId} succeeded: ${reports(pipeline)} ingested, `));
  expect((await handle.describe()).status.name).toBe('COMPLETED');
});
