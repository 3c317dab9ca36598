// Builds the project (tsc -p tsconfig.build.json) only when a source is newer than the last
// build, so `npm run pipeline -- status` starts in the time Node takes instead of a compile's.
// The sources are the TypeScript files tsconfig.build.json compiles (its include folders less its
// exclude patterns), the two tsconfig files and package.json. A build that succeeds leaves
// dist/.built-at, dated when it began: a source saved during the build is newer, so the next run
// builds again. Plain JavaScript because scripts/ is not compiled.
// `--quiet` says nothing when the build is skipped; otherwise one line on stderr says which.
'use strict';
const { execFileSync } = require('node:child_process');
const { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, utimesSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.built-at');

/** tsconfig.build.json's include folders and exclude patterns (its own, else those it extends). */
function buildConfig() {
  const read = (file) => JSON.parse(readFileSync(join(root, file), 'utf8'));
  const build = read('tsconfig.build.json');
  const base = build.extends ? read(build.extends) : {};
  return { include: build.include ?? base.include ?? ['.'], exclude: build.exclude ?? base.exclude ?? [] };
}

/** Whether an exclude pattern names this path: a folder or file (`test`), `**\/name` or `**\/*suffix`. */
function excluded(path, patterns) {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return patterns.some((pattern) => {
    if (!pattern.startsWith('**/')) return path === pattern || path.startsWith(`${pattern}/`);
    const last = pattern.slice(3);
    return last.startsWith('*') ? name.endsWith(last.slice(1)) : name === last;
  });
}

/** The newest modification time (ms) among the sources. */
function newestSource() {
  const { include, exclude } = buildConfig();
  let newest = Math.max(...['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((file) => statSync(join(root, file)).mtimeMs));
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (excluded(relative(root, path), exclude)) continue;
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const folder of include) if (existsSync(join(root, folder))) visit(join(root, folder));
  return newest;
}

function main() {
  const quiet = process.argv.includes('--quiet');
  const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  if (newestSource() <= builtAt) {
    if (!quiet) console.error('build skipped: dist/ is newer than every source');
    return;
  }
  console.error('building: a source is newer than dist/');
  const startedAt = new Date();
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  mkdirSync(join(root, 'dist'), { recursive: true });
  closeSync(openSync(stamp, 'a'));
  utimesSync(stamp, startedAt, startedAt);
}

try {
  main();
} catch (error) {
  // tsc has printed its errors; anything else is shown as it is.
  if (error.status === undefined) console.error(error);
  process.exit(1);
}
