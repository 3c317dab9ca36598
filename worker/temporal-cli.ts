import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { DevServerConfig } from '@temporalio/testing';

type Executable = NonNullable<DevServerConfig['executable']>;

/**
 * The Temporal CLI that runs the dev server: $TEMPORAL_CLI, else the one scripts/setup.sh put
 * in .tools/, else a `temporal` on PATH, else the SDK's own download.
 */
export function temporalCli(env: NodeJS.ProcessEnv = process.env): Executable {
  const candidates = [
    env.TEMPORAL_CLI,
    resolve(__dirname, '..', '.tools', 'temporal'),
    resolve(__dirname, '..', '..', '.tools', 'temporal'),
    ...(env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((dir) => join(dir, 'temporal')),
  ];
  const path = candidates.find((candidate): candidate is string => Boolean(candidate) && existsSync(candidate!));
  return path ? { type: 'existing-path', path } : { type: 'cached-download' };
}
