import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { tracingWorkerOptions, workflowBundleOptions } from '../worker/workflow-tracing';

/**
 * Safe deploys: every history saved from a release (scripts/capture-histories.ts, one folder per
 * version under test/fixtures/histories) replays against today's workflow code. A change that
 * would make a run of that release, still in flight when this code reaches it, take another
 * path fails here with a determinism error, before it fails in production.
 */
const HISTORIES = join(__dirname, 'fixtures/histories');

const saved = readdirSync(HISTORIES).flatMap((version) =>
  readdirSync(join(HISTORIES, version))
    .filter((file) => file.endsWith('.json'))
    .map((file): [string, string] => [`${version}/${file}`, join(HISTORIES, version, file)]),
);

jest.setTimeout(120_000);

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  // With the tracing interceptors every bundle holds (worker/workflow-tracing.ts): they must not change a saved history's commands.
  bundle = await bundleWorkflowCode({ ...workflowBundleOptions(require.resolve('../workflows')), logger: new DefaultLogger('ERROR') });
});

test('histories of every workflow type are saved for each release kept', () => {
  const names = (version: string) =>
    saved.filter(([name]) => name.startsWith(`${version}/`)).map(([name]) => name.slice(version.length + 1));
  for (const version of readdirSync(HISTORIES)) {
    expect(names(version)).toEqual(
      expect.arrayContaining([
        'hourly.json',
        'backfill-continued-2.json',
        'auth-halt.json',
        'cancelled.json',
        'sweep.json',
        'watermark.json',
        'quarantine.json',
        'missed-days.json',
        // Reconciles exist from 0.4.0 on: one that continued as new while repairing, and the deleted reports' listing.
        ...(version.localeCompare('0.4.0', undefined, { numeric: true }) >= 0 ? ['reconcile-repaired-2.json', 'deleted-reports.json'] : []),
      ]),
    );
  }
});

test.each(saved)('%s replays against the code of the day', async (name, path) => {
  await Worker.runReplayHistory(
    { workflowBundle: bundle, sinks: tracingWorkerOptions(undefined).sinks },
    JSON.parse(readFileSync(path, 'utf8')),
    name,
  );
});
