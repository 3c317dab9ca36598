import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The layers of README's "Where things are", held: which folder's code may import which (type
 * imports included), and no import cycle among the non-test files.
 */
const ROOT = join(__dirname, '..');
const FOLDERS = ['shared', 'activities', 'workflows', 'worker', 'client', 'embedded', 'simulator'] as const;
type Folder = (typeof FOLDERS)[number];

/** What each folder may import besides itself. */
const MAY_IMPORT: Record<Folder, Folder[]> = {
  shared: [],
  activities: ['shared'],
  workflows: ['shared', 'activities'],
  worker: ['shared', 'activities', 'workflows'],
  client: ['shared', 'workflows', 'worker'],
  embedded: ['shared', 'workflows', 'worker', 'client', 'simulator'],
  simulator: ['shared', 'activities'],
};

const sources = (folder: string): string[] =>
  readdirSync(join(ROOT, folder)).flatMap((name) => {
    const path = join(ROOT, folder, name);
    if (statSync(path).isDirectory()) return sources(relative(ROOT, path));
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [relative(ROOT, path)] : [];
  });

/** The project files a file imports (relative imports, type imports included). */
function importsOf(file: string): string[] {
  const specifiers = [...readFileSync(join(ROOT, file), 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm)].map(
    (m) => m[1],
  );
  return specifiers.flatMap((specifier) => {
    const base = resolve(ROOT, dirname(file), specifier);
    const found = [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
    return found ? [relative(ROOT, found)] : [];
  });
}

const graph = new Map(FOLDERS.flatMap(sources).map((file) => [file, importsOf(file)]));
const folderOf = (file: string) => file.split('/')[0] as Folder;

test('each folder imports only the folders its layer allows', () => {
  const crossings = [...graph].flatMap(([file, imports]) =>
    imports
      .filter((target) => folderOf(target) !== folderOf(file) && !MAY_IMPORT[folderOf(file)].includes(folderOf(target)))
      .map((target) => `${file} -> ${target}`),
  );
  expect(crossings).toEqual([]);
});

test('workflows take from activities only the Activities type their proxies need', () => {
  const taken = [...graph].flatMap(([file, imports]) =>
    folderOf(file) === 'workflows'
      ? imports.filter((target) => folderOf(target) === 'activities').map((target) => `${file} -> ${target}`)
      : [],
  );
  expect(taken).toEqual(['workflows/activities.ts -> activities/index.ts']);
});

test('no import cycle among the non-test files', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (file: string, path: string[]) => {
    state.set(file, 'open');
    for (const target of graph.get(file) ?? []) {
      if (state.get(target) === 'open') cycles.push([...path.slice(path.indexOf(target)), target].join(' -> '));
      else if (!state.has(target)) visit(target, [...path, target]);
    }
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file, [file]);
  expect(cycles).toEqual([]);
});
