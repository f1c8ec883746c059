/**
 * fairness: one consignor floods (ten times the crews of any other), a hundred others keep a
 * steady crew each. Every order's lines come from one consignor, so the crew is that consignor's
 * work and carries its fairness key. Reports each consignor's share of the completed crews and
 * Jain's index over them: 1 when every consignor is served alike, ~0.6 when service follows backlog.
 */
import { crewEnd, type CrewSpec } from '../load';
import { stepRows } from '../measure';
import { figure } from '../report';
import { pick, result, routingNote, sleep, withRun, type Run, type Scenario } from '../scenario';
import { jainIndex } from '../stats';
import { completedIn, standardSeries, windowFigures } from './window';
import type { BenchConsignor } from '../fixtures';

function consignorOrder(run: Run, c: BenchConsignor): CrewSpec {
  const lines = 1 + Math.floor(run.rand() * Math.min(2, c.skus.length));
  const skus = new Set<string>();
  while (skus.size < lines) skus.add(pick(run.rand, c.skus));
  return {
    tier: 'regular', buyerCode: pick(run.rand, run.catalog.buyers.retail), group: c.code, consignorId: c.id,
    items: [...skus].map((sku) => ({ sku, qty: 1 + Math.floor(run.rand() * 3) })),
  };
}

export const fairness: Scenario = {
  name: 'fairness',
  title: 'one consignor floods 10×, the others stay steady',
  async run(ctx) {
    const o = ctx.options;
    const nodes = o.nodes ?? 3;
    const slots = o.slots ?? 4;
    const totalSlots = nodes * slots;
    const latencyMs = o.latencyMs ?? 800;
    const steady = o.short ? 10 : 100;
    const perSteady = o.crews ?? 1;
    const floodFactor = 10;
    const durationS = o.durationS ?? (o.short ? 12 : 150);
    const warmupS = Math.min(o.short ? 4 : 30, durationS / 3);
    const pool = { nodes, slots, latencyMs, msPerToken: o.msPerToken ?? 0, cloudSlots: o.cloudSlots ?? 32, cloudLatencyMs: o.cloudLatencyMs ?? latencyMs, maxCachedWorkflows: o.maxCached };
    return withRun(ctx, { pool, catalog: { generalProducts: 0, soldOutProducts: 0, consignors: steady + 1, productsPerConsignor: 2 } }, async (run) => {
      const [flooder, ...others] = run.catalog.consignors;
      const until = run.t0 + durationS * 1000;
      const w0 = run.t0 + warmupS * 1000;
      const loops = [
        run.driver.closedLoop({ group: flooder!.code, inFlight: floodFactor * perSteady, until, next: () => consignorOrder(run, flooder!) }),
        ...others.map((c) => run.driver.closedLoop({ group: c.code, inFlight: perSteady, until, next: () => consignorOrder(run, c) })),
      ];
      await sleep(w0 - Date.now());
      run.mark('measuring');
      await Promise.all(loops);
      const t1 = Date.now();
      run.mark('load stops', t1);
      await run.driver.fillServerTimes(run.t0);
      const rows = await stepRows(ctx.infra.db, run.tag);
      const w = windowFigures(run, rows, w0, t1);
      const done = completedIn(run.driver.crews, w0, t1);
      const perConsignor = run.catalog.consignors.map((c) => done.filter((x) => x.consignorId === c.id).length);
      const total = perConsignor.reduce((s, v) => s + v, 0);
      const flooderShare = total ? perConsignor[0]! / total : null;
      const steadyCounts = perConsignor.slice(1);
      const jain = jainIndex(perConsignor);
      const jainSteady = jainIndex(steadyCounts);
      const fairShare = 1 / run.catalog.consignors.length;
      // What service proportional to backlog (no fairness) would give, for comparison.
      const fifoJain = jainIndex([floodFactor * perSteady, ...others.map(() => perSteady)]);
      const ends = done.map((c) => crewEnd(c)!);
      return result(ctx, fairness, run, {
        options: { nodes, slots, latencyMs, steadyConsignors: steady, crewsPerSteadyConsignor: perSteady, floodFactor, durationS, warmupS },
        figures: [
          figure('jain', "Jain's index over consignors' completed crews", jain, '', { op: '>=', value: 0.95 }),
          figure('flooderShare', 'flooding consignor share of completed crews', flooderShare === null ? null : flooderShare * 100, '%'),
          figure('fairShare', 'equal share per consignor', fairShare * 100, '%'),
          figure('steadyMin', 'least crews completed by a steady consignor', steadyCounts.length ? Math.min(...steadyCounts) : null, 'crews'),
          figure('steadyMax', 'most crews completed by a steady consignor', steadyCounts.length ? Math.max(...steadyCounts) : null, 'crews'),
          figure('flooderCrews', 'crews completed by the flooding consignor', perConsignor[0] ?? null, 'crews'),
          figure('jainSteady', "Jain's index over the steady consignors only", jainSteady, ''),
          figure('crewsPerMin', 'crews completed per minute (all consignors)', w.crewsPerMin, 'crews/min'),
        ],
        series: standardSeries(run, rows, t1, totalSlots),
        notes: [
          routingNote(run),
          `${steady} steady consignors keep ${perSteady} crew(s) open each, one consignor keeps ${floodFactor * perSteady}; every order's lines come from one consignor, so the Assistant gives the crew that consignor's fairness key (consignor-<code>) on its agent and LLM activities. Window ${w.windowS.toFixed(0)} s after ${warmupS} s warm-up; ${total} crews completed in it (first at ${ends.length ? run.sec(Math.min(...ends)).toFixed(1) : '-'} s).`,
          `For comparison, service in proportion to open crews (plain FIFO) would give the flooder ${((floodFactor / (floodFactor + steady)) * 100).toFixed(1)} % and Jain's index ${fifoJain?.toFixed(3)}.`,
        ],
        details: { window: w, perConsignor: run.catalog.consignors.map((c, i) => ({ code: c.code, completed: perConsignor[i] })), fifoJain },
      });
    });
  },
};
