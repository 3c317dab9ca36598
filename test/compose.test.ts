import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * docker-compose.yml, checked without a Docker engine: the Temporal part on the current official
 * pattern (schema one-shot, server, namespace one-shot; no auto-setup), every image pinned,
 * every dependency a real service, every one-shot retried and its script valid sh.
 */
const ROOT = join(__dirname, '..');

interface Service {
  image?: string;
  build?: unknown;
  entrypoint?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  restart?: string;
  volumes?: string[];
  healthcheck?: { test: string[] };
}
const { services } = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
/** A service's dependencies with their conditions (the short list form means `service_started`). */
const dependencies = (service: Service): Record<string, { condition: string }> =>
  Array.isArray(service.depends_on)
    ? Object.fromEntries(service.depends_on.map((name) => [name, { condition: 'service_started' }]))
    : (service.depends_on ?? {});
/** An image with its variable defaults filled in, as compose would pull it. */
const pulled = (image: string) => image.replace(/\$\{[A-Z_]+:-([^}]+)\}/g, '$1');

test('Temporal follows the official pattern: admin-tools sets up the schemas, then the server, then the namespace', () => {
  expect(
    Object.values(services)
      .map((service) => service.image ?? '')
      .filter((image) => image.includes('auto-setup')),
  ).toEqual([]);
  expect(pulled(services['temporal-schema'].image!)).toMatch(/^temporalio\/admin-tools:\d+\.\d+\.\d+$/);
  expect(pulled(services.temporal.image!)).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
  expect(services.temporal.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
  expect(services['temporal-namespace'].depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
  // The server image has no Temporal CLI: its healthcheck may not use one.
  expect(services.temporal.healthcheck?.test.join(' ')).not.toMatch(/\btemporal\b/);
  for (const name of ['worker', 'schedules']) {
    expect(dependencies(services[name])['temporal-namespace']).toEqual({ condition: 'service_completed_successfully' });
  }
});

test('every image is pinned to a version, never latest', () => {
  const images = Object.entries(services).flatMap(([name, service]) =>
    service.image && !service.build ? [[name, pulled(service.image)]] : [],
  );
  expect(images.length).toBeGreaterThan(6);
  for (const [name, image] of images)
    expect({ name, image, pinned: /:[\w.-]*\d[\w.-]*$/.test(image) && !image.endsWith(':latest') }).toEqual({ name, image, pinned: true });
});

test('every dependency is a service, and every one-shot others wait for is retried', () => {
  for (const [name, service] of Object.entries(services)) {
    for (const [dependency, { condition }] of Object.entries(dependencies(service))) {
      expect({ name, dependency, known: dependency in services }).toEqual({ name, dependency, known: true });
      if (condition === 'service_completed_successfully' && services[dependency].build === undefined) {
        expect({ dependency, restart: services[dependency].restart }).toEqual({
          dependency,
          restart: expect.stringMatching(/^on-failure/),
        });
      }
    }
  }
});

test("the one-shots' scripts exist where they are mounted and are valid POSIX sh", () => {
  const scripts = Object.values(services).flatMap((service) => (service.entrypoint ?? []).filter((word) => word.startsWith('/deploy/')));
  expect(scripts.sort()).toEqual(['/deploy/temporal-namespace.sh', '/deploy/temporal-schema.sh']);
  for (const script of scripts) {
    const file = join(ROOT, 'deploy/compose', script.slice('/deploy/'.length));
    expect(existsSync(file)).toBe(true);
    execFileSync('sh', ['-n', file]);
  }
});
