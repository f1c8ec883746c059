/**
 * The benchmark's short mode, as CI runs it: every scenario against the test run's Temporal server
 * and database, with real workers and simulator nodes. Checks that each writes well-formed JSON and
 * SVG, that its figures are sane numbers (percentiles ordered, shares within 0..100 %, verdicts
 * matching targets), and that the crews it drove really ran (agent-run journal, confirmed orders).
 * Targets themselves are never asserted: they are measured by the benchmark, not by timed tests.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createDb, type Db } from '../src/db/pool';
import { runBench } from '../bench/main';
import { figure, renderSvg, type Figure, type ScenarioResult } from '../bench/report';
import { SCENARIOS } from '../bench/scenarios';
import { Integrator, jainIndex, percentile, summarize } from '../bench/stats';
import { DATABASE_URL, REDIS_URL, TEMPORAL_ADDRESS } from './harness';

/** A strict-enough XML check for what renderSvg writes: balanced tags, quoted attributes, no NaN. */
export function assertWellFormedSvg(svg: string): void {
  assert.match(svg, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>|<\?xml[^>]*\?>/g;
  let last = 0;
  for (let m = tag.exec(svg); m; m = tag.exec(svg)) {
    const between = svg.slice(last, m.index);
    assert.doesNotMatch(between, /[<>]/, `stray angle bracket near ${JSON.stringify(between.slice(0, 80))}`);
    assert.doesNotMatch(between, /&(?!amp;|lt;|gt;|quot;|#\d+;)/, 'unescaped & in text');
    last = tag.lastIndex;
    if (m[0].startsWith('<?xml')) continue;
    const [, closing, name, attrs, selfClosing] = m;
    for (const a of attrs!.matchAll(/([\w:-]+)="([^"]*)"/g)) {
      if (['x', 'y', 'x1', 'x2', 'y1', 'y2', 'width', 'height', 'dx', 'points'].includes(a[1]!)) {
        assert.doesNotMatch(a[2]!, /NaN|Infinity|undefined/, `${name} ${a[1]}="${a[2]}"`);
      }
    }
    if (selfClosing) continue;
    if (closing) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else stack.push(name!);
  }
  assert.equal(svg.slice(last).trim(), '', 'content after the root element');
  assert.deepEqual(stack, [], 'unclosed elements');
}

function fig(result: ScenarioResult, key: string): Figure {
  const f = result.figures.find((x) => x.key === key);
  assert.ok(f, `${result.scenario}: figure ${key} missing`);
  return f;
}

function value(result: ScenarioResult, key: string): number {
  const v = fig(result, key).value;
  assert.ok(v !== null && Number.isFinite(v), `${result.scenario}: ${key} should be measured, got ${v}`);
  return v;
}

describe('bench statistics', () => {
  test('percentiles, Jain and the integrator on known inputs', () => {
    assert.equal(percentile([5, 1, 3, 2, 4], 50), 3);
    assert.equal(percentile([5, 1, 3, 2, 4], 100), 5);
    assert.equal(percentile([], 95), null);
    const s = summarize(Array.from({ length: 100 }, (_, i) => i + 1));
    assert.deepEqual([s.p50, s.p95, s.p99, s.max], [50, 95, 99, 100]);
    assert.equal(jainIndex([3, 3, 3]), 1);
    assert.ok(Math.abs(jainIndex([1, 0, 0, 0])! - 0.25) < 1e-12);
    assert.equal(jainIndex([0, 0]), null);
    const busy = new Integrator();
    busy.sample(0, 2);
    busy.sample(1000, 4);
    busy.sample(3000, 0);
    assert.equal(busy.between(0, 3000), 2 * 1000 + 4 * 2000);
    assert.equal(busy.between(500, 1500), 2 * 500 + 4 * 500);
  });

  test('verdicts follow targets, an unmeasured figure misses, the SVG escapes text', () => {
    assert.equal(figure('a', 'a', 4, '%', { op: '<=', value: 5 }).verdict, 'PASS');
    assert.equal(figure('a', 'a', 6, '%', { op: '<=', value: 5 }).verdict, 'MISS');
    assert.equal(figure('a', 'a', 0.96, '', { op: '>=', value: 0.95 }).verdict, 'PASS');
    assert.equal(figure('a', 'a', null, '', { op: '>=', value: 0.95 }).verdict, 'MISS');
    assert.equal(figure('a', 'a', Number.NaN, '').value, null);
    const svg = renderSvg({
      scenario: 'x', title: 'a <b> & "c"', startedAt: 'now', finishedAt: 'now', wallS: 1, short: true, command: 'bench x & y', options: {}, environment: {},
      figures: [figure('f', 'f < g', 1, 's', { op: '<=', value: 2 })], series: [{ name: 's', unit: 'u', points: [[0, 0], [1, Number.NaN]] }, { name: 'empty', unit: 'u', points: [] }],
      markers: [{ t: 0.5, label: '<m>' }], notes: [], details: {},
    });
    assertWellFormedSvg(svg);
  });
});

describe('bench short mode (CI)', () => {
  let out: string;
  let db: Db;
  let results: ScenarioResult[] = [];
  const files: { json: string; svg: string }[] = [];

  before(async () => {
    out = await mkdtemp(path.join(os.tmpdir(), 'greenfood-bench-test-'));
    db = createDb(DATABASE_URL, 2, 'greenfood-bench-test');
    const ran = await runBench({
      scenarios: SCENARIOS.map((s) => s.name),
      options: { short: true, routing: 'auto', seed: 7 },
      outDir: out,
      temporal: TEMPORAL_ADDRESS,
      databaseUrl: DATABASE_URL,
      redisUrl: REDIS_URL,
      log: () => {},
      command: 'npm run bench -- all --short',
    });
    results = ran.map((r) => r.result);
    files.push(...ran.map((r) => r.files));
  });

  after(async () => {
    await db?.end();
    await rm(out, { recursive: true, force: true });
  });

  test('every scenario ran and wrote JSON and SVG that parse back', async () => {
    assert.deepEqual(results.map((r) => r.scenario), SCENARIOS.map((s) => s.name));
    for (const [i, r] of results.entries()) {
      const written = JSON.parse(await readFile(files[i]!.json, 'utf8')) as ScenarioResult;
      assert.equal(written.scenario, r.scenario);
      assert.deepEqual(written.figures, r.figures);
      assert.ok(path.basename(files[i]!.json).startsWith(`${r.scenario}-`));
      assertWellFormedSvg(await readFile(files[i]!.svg, 'utf8'));
      assert.ok(r.short);
      assert.ok(r.series.length > 0 && r.series.every((s) => s.points.every(([t, v]) => Number.isFinite(t) && Number.isFinite(v) && v >= 0)), `${r.scenario}: series`);
      for (const f of r.figures) {
        assert.ok(f.value === null || Number.isFinite(f.value), `${r.scenario}.${f.key} = ${f.value}`);
        if (f.target) {
          const pass = f.value !== null && (f.target.op === '<=' ? f.value <= f.target.value : f.value >= f.target.value);
          assert.equal(f.verdict, pass ? 'PASS' : 'MISS', `${r.scenario}.${f.key}`);
        }
      }
    }
  });

  test('the crews the bench drove really ran: journal rows and confirmed orders', async () => {
    for (const r of results) {
      const tag = r.environment.tag as string;
      const steps = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM agent_runs WHERE workflow_id LIKE $1 AND outcome = 'ok'`, [`order-${tag}-%`]);
      const confirmed = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM orders WHERE id LIKE $1 AND status = 'confirmed'`, [`${tag}-%`]);
      assert.ok(steps.rows[0]!.n > 0, `${r.scenario}: agent steps journaled`);
      assert.ok(confirmed.rows[0]!.n > 0, `${r.scenario}: orders confirmed`);
    }
  });

  test('figures are sane numbers', () => {
    const by = (name: string) => results.find((r) => r.scenario === name)!;
    const pct = (r: ScenarioResult, key: string) => {
      const v = value(r, key);
      assert.ok(v >= 0 && v <= 100, `${r.scenario}.${key} = ${v} %`);
    };

    const sat = by('saturation');
    assert.ok(value(sat, 'stepsPerMin') > 0);
    pct(sat, 'gpuUtilisation');
    pct(sat, 'orchestrationShare');
    for (const tier of ['vip', 'regular', 'background']) {
      const [p50, p95, p99] = ['P50', 'P95', 'P99'].map((p) => fig(sat, `${tier}${p}`).value);
      if (p50 === null || p50 === undefined) continue;
      assert.ok(p50 > 0 && p50 <= p95! && p95! <= p99!, `${tier}: ${p50} ≤ ${p95} ≤ ${p99}`);
    }

    const vip = by('vip-under-flood');
    assert.ok(value(vip, 'vipAloneP50') > 0 && value(vip, 'vipAloneP50') <= value(vip, 'vipAloneP95'));
    const ratio = fig(vip, 'vipP95Ratio').value;
    const floodP95 = fig(vip, 'vipFloodP95').value;
    if (ratio !== null) assert.ok(Math.abs(ratio - floodP95! / value(vip, 'vipAloneP95')) < 0.05 * ratio + 0.01, 'ratio = flood p95 / alone p95');

    const fair = by('fairness');
    const jain = value(fair, 'jain');
    assert.ok(jain > 0 && jain <= 1, `Jain ${jain}`);
    pct(fair, 'flooderShare');
    const perConsignor = (fair.details.perConsignor as { completed: number }[]).map((c) => c.completed);
    assert.ok(Math.abs(jainIndex(perConsignor)! - jain) < 1e-3, 'Jain recomputes from the per-consignor counts');
    assert.ok(value(fair, 'steadyMin') <= value(fair, 'steadyMax'));

    const loss = by('node-loss');
    assert.ok(value(loss, 'crewsPerMinBefore') > 0);
    assert.ok((loss.details.openAtKill as number) > 0, 'crews were open when the pool died');
    assert.ok(loss.markers.some((m) => m.label.endsWith('dies')) && loss.markers.some((m) => m.label.endsWith('back')));
    const rejoin = fig(loss, 'rejoinS').value;
    assert.ok(rejoin === null || rejoin >= 0);

    const ceiling = by('ceiling');
    assert.ok(value(ceiling, 'stepsPerMin') > 0);
    assert.ok(value(ceiling, 'benchCores') > 0);

    const inflight = by('in-flight');
    const crews = inflight.options.crews as number;
    assert.ok(value(inflight, 'peakOpen') >= 1 && value(inflight, 'peakOpen') <= crews);
    assert.ok(value(inflight, 'peakRss') > value(inflight, 'rssBefore') * 0.5, 'worker RSS sampled');
    assert.ok(value(inflight, 'maxCached') >= 2);
  });
});
