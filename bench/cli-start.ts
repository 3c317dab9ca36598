/**
 * How long `status` takes through `npm run pipeline` (with its build check) against the built
 * client alone, side by side on one dev server (the target: at most twice as long).
 *
 *   npx tsx bench/cli-start.ts [--runs N]
 *
 * Builds first if a source changed (so every timed `npm run pipeline` finds nothing to build),
 * then alternates the two commands N times each and prints their medians and the ratio.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCli } from '../worker/temporal-cli';
import { PIPELINE_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const root = join(__dirname, '..');

/** Seconds a command took to exit 0. */
function timed(command: string, args: string[], env: NodeJS.ProcessEnv): number {
  const startedAt = process.hrtime.bigint();
  const run = spawnSync(command, args, { cwd: root, env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  if (run.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  if (run.stderr.includes('building')) throw new Error('npm run pipeline rebuilt: a source changed during the bench');
  return seconds;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value: number) => Math.round(value * 1000) / 1000;

async function main() {
  execFileSync(process.execPath, [join(root, 'scripts/build-if-stale.js')], { cwd: root, stdio: 'inherit' });
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: { executable: temporalCli(), ip: '127.0.0.1', searchAttributes: PIPELINE_SEARCH_ATTRIBUTES },
  });
  try {
    const env = { ...process.env, TEMPORAL_ADDRESS: temporal.connection.options.address };
    const npm: number[] = [];
    const node: number[] = [];
    for (let i = 0; i < Number(values.runs); i++) {
      npm.push(timed('npm', ['run', '--silent', 'pipeline', '--', 'status'], env));
      node.push(timed(process.execPath, ['dist/client/main.js', 'status'], env));
    }
    const seconds = { npmRunPipeline: round(median(npm)), nodeDistClient: round(median(node)) };
    console.log(
      JSON.stringify({ runs: npm.length, medianSeconds: seconds, ratio: round(seconds.npmRunPipeline / seconds.nodeDistClient) }),
    );
  } finally {
    await temporal.teardown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
