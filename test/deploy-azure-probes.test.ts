import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * The Container App YAML in docs/deploy-azure.md, held to the limits Container Apps puts on
 * probes (the ContainerAppProbe REST spec): the platform refuses a revision outside them.
 */
const LIMITS = {
  failureThreshold: [1, 10],
  initialDelaySeconds: [1, 60],
  periodSeconds: [1, 240],
  successThreshold: [1, 10],
  timeoutSeconds: [1, 240],
} as const;

const guide = readFileSync(join(__dirname, '..', 'docs', 'deploy-azure.md'), 'utf8');
const yamlBlocks = [...guide.matchAll(/```yaml\n([\s\S]*?)```/g)].map(([, block]) => block);
/** Placeholders such as `<client id>` stand for values the operator fills in. */
const parsed = yamlBlocks.map((block) => parse(block.replace(/<[^>\n]+>/g, 'placeholder')));
const probes: { type: string; [setting: string]: unknown }[] = parsed.flatMap(
  (doc) => doc?.properties?.template?.containers?.flatMap((container: { probes?: unknown[] }) => container.probes ?? []) ?? [],
);

test('the guide has a Container App with its three probes', () => {
  expect(probes.map((probe) => probe.type).sort()).toEqual(['Liveness', 'Readiness', 'Startup']);
});

test.each(Object.entries(LIMITS))('every probe keeps %s within what Container Apps accepts', (setting, [min, max]) => {
  for (const probe of probes) {
    const value = probe[setting];
    if (value === undefined) continue;
    expect({ probe: probe.type, [setting]: value, within: typeof value === 'number' && value >= min && value <= max }).toMatchObject({
      within: true,
    });
  }
});

test('liveness and startup probes succeed on one success, as Container Apps requires', () => {
  for (const probe of probes.filter((p) => p.type !== 'Readiness')) expect(probe.successThreshold ?? 1).toBe(1);
});
