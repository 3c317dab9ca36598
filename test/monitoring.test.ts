import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { COUNTERS, GAUGES, PIPELINE_SERIES } from '../activities/pipeline-metrics';
import { readEnvironment } from '../worker/config';
import { metricNames } from './promql-names';

/**
 * The monitoring files (monitoring/, and their services in docker-compose.yml) as Prometheus and
 * Grafana read them: each parses, and what ties them together holds. promtool is not installed
 * here; the PromQL is checked for the metric names it reads, not by Prometheus' own parser.
 */

const ROOT = join(__dirname, '..');
const MONITORING = join(ROOT, 'monitoring');

const filesIn = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesIn(join(dir, entry.name)) : [join(dir, entry.name)],
  );
const yamlOf = (path: string) => parse(readFileSync(path, 'utf8'), { uniqueKeys: true, strict: true });
const jsonOf = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const monitoringFiles = (extension: RegExp) => filesIn(MONITORING).filter((path) => extension.test(path));

/** Metric names the dashboards and rules may read: the pipeline's, the SDK's (`temporal_*`), Prometheus' `up`. */
const known = (name: string) => PIPELINE_SERIES.includes(name) || name.startsWith('temporal_') || name === 'up';
const unknownNames = (expr: string) => metricNames(expr).filter((name) => !known(name));

interface Rule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: { severity?: string };
  annotations?: { summary?: string };
}
const ruleFiles = () => filesIn(join(MONITORING, 'prometheus', 'rules'));
const rules = (): Rule[] =>
  ruleFiles().flatMap((path) => (yamlOf(path) as { groups: { rules: Rule[] }[] }).groups.flatMap((group) => group.rules));

interface Panel {
  title?: string;
  datasource?: { uid?: string };
  targets?: { expr?: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}
const panelsOf = (panels: Panel[] = []): Panel[] => panels.flatMap((panel) => [panel, ...panelsOf(panel.panels)]);
const dashboards = () => monitoringFiles(/\.json$/).map((path) => ({ path: relative(ROOT, path), dashboard: jsonOf(path) }));

const compose = () =>
  yamlOf(join(ROOT, 'docker-compose.yml')) as { services: Record<string, { volumes?: string[]; environment?: Record<string, unknown> }> };
/** Where the compose file mounts a file or folder of this repository in a service. */
const mountOf = (service: string, source: string) =>
  compose()
    .services[service].volumes?.find((volume) => volume.startsWith(`${source}:`))
    ?.split(':')[1];

test('every monitoring YAML and JSON file parses', () => {
  const files = monitoringFiles(/\.(ya?ml|json)$/);
  expect(files.length).toBeGreaterThanOrEqual(6);
  for (const path of files) expect(() => (path.endsWith('.json') ? jsonOf(path) : yamlOf(path))).not.toThrow();
});

test('every alert rule has an expression over exported metrics, a duration, a severity and a summary', () => {
  const all = rules();
  expect(all.map((rule) => rule.alert)).toEqual(
    expect.arrayContaining(['GoAuditsAuthHalted', 'GoAuditsWatermarkLagHigh', 'GoAuditsReportsQuarantined', 'GoAuditsRunStalled']),
  );
  for (const rule of all) {
    expect(rule).toEqual({
      alert: expect.stringMatching(/^GoAudits[A-Za-z]+$/),
      expr: expect.any(String),
      for: expect.stringMatching(/^\d+[smh]$/),
      labels: expect.objectContaining({ severity: expect.stringMatching(/^(critical|warning)$/) }),
      annotations: expect.objectContaining({ summary: expect.any(String) }),
    });
    expect({ alert: rule.alert, unknown: unknownNames(rule.expr!) }).toEqual({ alert: rule.alert, unknown: [] });
  }
});

test("every dashboard query reads only metrics the worker exports, or the SDK's", () => {
  for (const { path, dashboard } of dashboards()) {
    const exprs = panelsOf(dashboard.panels).flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? ''));
    expect(exprs.length).toBeGreaterThan(0);
    for (const expr of exprs) expect({ path, expr, unknown: unknownNames(expr) }).toEqual({ path, expr, unknown: [] });
  }
});

test('the pipeline dashboard shows every pipeline counter and gauge', () => {
  const pipeline = dashboards().find(({ dashboard }) => dashboard.uid === 'goaudits-pipeline')!.dashboard;
  const read = new Set(
    panelsOf(pipeline.panels).flatMap((panel) => (panel.targets ?? []).flatMap((target) => metricNames(target.expr ?? ''))),
  );
  for (const name of [...Object.values(COUNTERS), ...Object.values(GAUGES)]) expect(read).toContain(name);
});

test('the datasource every dashboard names is provisioned, or is a datasource variable of that dashboard', () => {
  const provisioned = monitoringFiles(/provisioning\/datasources\/.*\.ya?ml$/).flatMap((path) =>
    (yamlOf(path) as { datasources: { uid: string }[] }).datasources.map((datasource) => datasource.uid),
  );
  expect(provisioned).toContain('prometheus');
  for (const { path, dashboard } of dashboards()) {
    const variables = (dashboard.templating?.list ?? [])
      .filter((v: { type: string }) => v.type === 'datasource')
      .map((v: { name: string }) => v.name);
    const uids = panelsOf(dashboard.panels).flatMap((panel) => [
      panel.datasource?.uid,
      ...(panel.targets ?? []).map((target) => target.datasource?.uid),
    ]);
    for (const uid of uids.filter((uid): uid is string => uid !== undefined)) {
      const variable = /^\$\{?(\w+)\}?$/.exec(uid)?.[1];
      const resolves =
        provisioned.includes(uid) ||
        uid === '-- Mixed --' ||
        uid === '-- Grafana --' ||
        (variable !== undefined && variables.includes(variable));
      expect({ path, uid, resolves }).toEqual({ path, uid, resolves: true });
    }
  }
  const uids = dashboards().map(({ dashboard }) => dashboard.uid);
  expect(new Set(uids).size).toBe(uids.length);
  for (const { dashboard } of dashboards()) expect(dashboard.id).toBeNull();
});

test('compose mounts the files where Prometheus and Grafana look, and Prometheus scrapes the worker on its METRICS_PORT', () => {
  const prometheus = yamlOf(join(MONITORING, 'prometheus', 'prometheus.yml'));
  expect(mountOf('prometheus', './monitoring/prometheus/prometheus.yml')).toBe('/etc/prometheus/prometheus.yml');
  const rulesDir = mountOf('prometheus', './monitoring/prometheus/rules');
  expect(prometheus.rule_files).toEqual([`${rulesDir}/*.yml`]);
  expect(ruleFiles().every((path) => path.endsWith('.yml'))).toBe(true);

  const port = compose().services.worker.environment?.METRICS_PORT;
  expect(port).toBe(readEnvironment({}).METRICS_PORT);
  const worker = prometheus.scrape_configs.find((job: { job_name: string }) => job.job_name === 'goaudits-worker');
  expect(worker.static_configs[0].targets).toEqual([`worker:${port}`]);

  expect(mountOf('grafana', './monitoring/grafana/provisioning')).toBe('/etc/grafana/provisioning');
  const provider = yamlOf(join(MONITORING, 'grafana', 'provisioning', 'dashboards', 'dashboards.yml')).providers[0];
  expect(mountOf('grafana', './monitoring/grafana/dashboards')).toBe(provider.options.path);
});
