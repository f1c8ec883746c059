/**
 * The Grafana dashboard and the Prometheus/Grafana/Jaeger wiring of docker-compose.yml:
 * every panel query names only metrics the workers really export (scraped from a worker process
 * after a crew ran: GREENFOOD's /metrics and the Temporal SDK's), the panels the on-call operator
 * needs are there, and the compose services mount and point at what the repo provides.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { loadConfig } from '../src/config';
import { startFulfillOrder } from '../src/orders/client';
import { initProcessMetrics } from '../src/observability/metrics';
import { startMetricsServer, type MetricsServer } from '../src/observability/metrics-server';
import { anyBuyer, createTestProduct, orderInput, startPlatform, type Platform } from './harness';
import { exposedNames, freePort, scrape } from './observability-fixtures';

const root = path.resolve(__dirname, '..');
const dashboardPath = path.join(root, 'observability', 'grafana', 'dashboards', 'greenfood.json');

interface Target { expr: string; refId: string; datasource?: { uid?: string } }
interface Panel { id: number; type: string; title: string; targets?: Target[]; datasource?: { uid?: string }; gridPos: { x: number; y: number; w: number; h: number } }
interface Dashboard { uid: string; title: string; panels: Panel[]; templating: { list: { name: string; query: { query: string } }[] } }

const dashboard = JSON.parse(readFileSync(dashboardPath, 'utf8')) as Dashboard;
const queryPanels = dashboard.panels.filter((p) => p.type !== 'row');

// PromQL words that are not metric names.
const PROMQL_WORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'group',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset',
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'histogram_quantile', 'scalar', 'vector', 'abs', 'clamp_min',
  'clamp_max', 'label_values', 'label_replace', 'sort', 'sort_desc', 'time', 'absent', 'round', 'ceil', 'floor', 'inf', 'nan',
]);

/** Metric names a PromQL expression reads: label matchers, ranges, strings and grouping clauses removed. */
function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$__\w+|\$\w+/g, ' ');
  return [...stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .map((m) => m[0])
    .filter((w) => !PROMQL_WORDS.has(w) && !/^\d/.test(w) && !/^[a-z]$/.test(w));
}

function balanced(expr: string): boolean {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  for (const ch of expr.replace(/"(?:[^"\\]|\\.)*"/g, '')) {
    if ('([{'.includes(ch)) stack.push(ch);
    else if (ch in pairs && stack.pop() !== pairs[ch]) return false;
  }
  return stack.length === 0;
}

describe('Grafana dashboard', () => {
  let platform: Platform;
  let server: MetricsServer;
  let exported: Set<string>;

  before(async () => {
    const sdkPort = await freePort();
    platform = await startPlatform({
      observability: { runtime: { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkPort}`, useSecondsForDurations: true } } } } },
    });
    initProcessMetrics('test');
    server = await startMetricsServer({ port: 0 });
    const product = await createTestProduct(platform.db, { qty: 3 });
    const { handle } = await startFulfillOrder(platform.client, orderInput(platform, { buyerCode: await anyBuyer(platform.db), items: [{ sku: product.sku, qty: 1 }] }));
    await handle.result();
    exported = new Set([...exposedNames(await scrape(server.url)), ...exposedNames(await scrape(`http://127.0.0.1:${sdkPort}/metrics`))]);
  });

  after(async () => {
    await server?.close();
    await platform?.stop();
  });

  test('every panel query names only metrics a worker really exports', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const panel of queryPanels) {
      assert.ok(panel.targets?.length, `panel "${panel.title}" has a query`);
      for (const t of panel.targets) {
        assert.ok(balanced(t.expr), `panel "${panel.title}": unbalanced brackets in ${t.expr}`);
        const names = metricNamesIn(t.expr);
        assert.ok(names.length > 0, `panel "${panel.title}" reads a metric: ${t.expr}`);
        for (const name of names) {
          checked++;
          if (!exported.has(name)) missing.push(`${panel.title}: ${name}`);
        }
      }
    }
    assert.deepEqual(missing, [], 'metrics the dashboard queries but no worker exports');
    assert.ok(checked >= 30);
    for (const v of dashboard.templating.list) {
      const metric = /label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(v.query.query)?.[1];
      assert.ok(metric && exported.has(metric), `variable $${v.name} reads an exported metric (${v.query.query})`);
    }
  });

  test('the metric-name check itself catches a misspelt series', () => {
    assert.deepEqual(metricNamesIn('histogram_quantile(0.95, sum by (le, agent) (rate(greenfood_agent_latency_secs_bucket{agent=~"$agent"}[5m])))'),
      ['greenfood_agent_latency_secs_bucket']);
    assert.ok(!exported.has('greenfood_agent_latency_secs_bucket'));
    assert.deepEqual(metricNamesIn('sum(a_total) / ignoring(x) group_left sum by (y) (b_total)'), ['a_total', 'b_total']);
  });

  test('the panels an operator needs are there', () => {
    const byMetric = (metric: string, type?: string) => queryPanels.filter((p) => (type === undefined || p.type === type) && p.targets!.some((t) => t.expr.includes(metric)));
    assert.ok(byMetric('greenfood_crews_completed_total').some((p) => p.targets!.some((t) => /by \(crew, tier\)/.test(t.expr))), 'crew throughput per tier');
    assert.ok(byMetric('greenfood_crew_duration_seconds_bucket').some((p) => p.targets!.some((t) => /tier/.test(t.expr))), 'crew latency per tier');
    assert.equal(byMetric('greenfood_agent_latency_seconds_bucket', 'heatmap').length, 1, 'agent latency heatmap');
    assert.ok(byMetric('greenfood_llm_in_flight').some((p) => p.targets!.some((t) => t.expr.includes('greenfood_llm_pool_slots'))), 'GPU pool utilisation');
    assert.ok(byMetric('greenfood_task_queue_backlog').length >= 1, 'queue depth');
    assert.ok(byMetric('greenfood_llm_fallbacks_total').length >= 1, 'fallback rate');
    assert.ok(byMetric('greenfood_llm_cache_lookups_total{result="hit"}').length >= 1, 'cache hit rate');
    assert.ok(byMetric('greenfood_agent_failures_total').length >= 1, 'agent error rate');
    for (const m of ['greenfood_orders_fulfilled_total', 'greenfood_stock_reservations_failed_total', 'greenfood_settlements_approved_total', 'greenfood_payouts_kop_total']) {
      assert.ok(byMetric(m).length >= 1, `business panel for ${m}`);
    }
  });

  test('panels are well-formed: unique ids, on the 24-column grid, Prometheus datasource by uid', () => {
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const p of dashboard.panels) {
      assert.ok(p.gridPos.x >= 0 && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24, `panel "${p.title}" fits the grid`);
      if (p.type !== 'row') {
        assert.equal(p.datasource?.uid, 'prometheus');
        for (const t of p.targets!) assert.equal(t.datasource?.uid, 'prometheus');
      }
    }
    assert.match(dashboard.uid, /^[a-z0-9-]{1,40}$/);
  });
});

describe('observability services in docker-compose.yml', () => {
  type Svc = { image?: string; command?: string[]; volumes?: string[]; ports?: string[]; environment?: Record<string, string>; depends_on?: Record<string, unknown> };
  const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Svc> };
  const services = compose.services;
  const config = loadConfig({});

  /** Host path of a container path, through the service's read-only bind mounts. */
  function hostPath(service: string, containerPath: string): string {
    for (const v of services[service]!.volumes ?? []) {
      const [source, target] = v.split(':');
      if (!source?.startsWith('.') || !target) continue;
      if (containerPath === target || containerPath.startsWith(`${target}/`)) return path.join(root, source, path.posix.relative(target, containerPath));
    }
    assert.fail(`${service}: no bind mount covers ${containerPath}`);
  }

  test('workers expose both metrics endpoints to the compose network and send traces to jaeger', () => {
    for (const name of Object.keys(services).filter((n) => n.startsWith('worker-'))) {
      const env = services[name]!.environment ?? {};
      assert.equal(env.METRICS_HOST, '0.0.0.0', `${name} binds metrics on all interfaces`);
      assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://jaeger:4318', `${name} exports traces to jaeger`);
      const workerConfig = loadConfig({ METRICS_HOST: env.METRICS_HOST, OTEL_EXPORTER_OTLP_ENDPOINT: env.OTEL_EXPORTER_OTLP_ENDPOINT, METRICS_PORT: env.METRICS_PORT, SDK_METRICS_PORT: env.SDK_METRICS_PORT });
      assert.equal(workerConfig.METRICS_PORT, 9464);
      assert.equal(workerConfig.SDK_METRICS_PORT, 9465);
    }
    assert.ok(services.jaeger!.command!.join(' ').includes('receivers.otlp.protocols.http.endpoint=0.0.0.0:4318'));
    assert.ok(services.jaeger!.ports!.some((p) => p.endsWith(':16686')), 'Jaeger UI published');
  });

  test('prometheus loads the repo scrape config, which scrapes every worker on both ports', () => {
    const cmd = services.prometheus!.command!;
    const configFile = cmd.find((a) => a.startsWith('--config.file='))!.split('=')[1]!;
    const onHost = hostPath('prometheus', configFile);
    assert.equal(onHost, path.join(root, 'observability', 'prometheus.yml'));
    const prom = parse(readFileSync(onHost, 'utf8')) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    const targets = new Set(prom.scrape_configs.flatMap((j) => j.static_configs.flatMap((s) => s.targets)));
    const workers = Object.keys(services).filter((n) => n.startsWith('worker-'));
    assert.ok(workers.length >= 3);
    for (const w of workers) {
      assert.ok(targets.has(`${w}:${config.METRICS_PORT}`), `scrapes ${w}:${config.METRICS_PORT}`);
      assert.ok(targets.has(`${w}:${config.SDK_METRICS_PORT}`), `scrapes ${w}:${config.SDK_METRICS_PORT}`);
    }
    for (const t of targets) {
      const host = t.split(':')[0]!;
      assert.ok(host === 'localhost' || host in services, `target ${t} is a compose service`);
    }
  });

  test('grafana provisions the Prometheus and Jaeger datasources and this dashboard', () => {
    const provisioning = hostPath('grafana', '/etc/grafana/provisioning/datasources');
    const ds = parse(readFileSync(path.join(provisioning, 'greenfood.yaml'), 'utf8')) as { datasources: { uid: string; type: string; url: string }[] };
    const prom = ds.datasources.find((d) => d.uid === 'prometheus');
    assert.equal(prom?.type, 'prometheus');
    assert.equal(prom?.url, 'http://prometheus:9090');
    assert.equal(ds.datasources.find((d) => d.uid === 'jaeger')?.url, 'http://jaeger:16686');
    const providers = parse(readFileSync(path.join(hostPath('grafana', '/etc/grafana/provisioning/dashboards'), 'greenfood.yaml'), 'utf8')) as { providers: { options: { path: string } }[] };
    const dashboardsDir = hostPath('grafana', providers.providers[0]!.options.path);
    assert.ok(existsSync(path.join(dashboardsDir, 'greenfood.json')), 'the provider path holds greenfood.json');
    assert.equal(path.join(dashboardsDir, 'greenfood.json'), dashboardPath);
    const home = services.grafana!.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!;
    assert.equal(hostPath('grafana', home), dashboardPath, 'the home dashboard is this one');
  });
});
