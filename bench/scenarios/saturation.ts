/**
 * saturation: mixed tiers (VIP, regular, background) kept above GPU capacity. Reports agent
 * steps/min, crew latency per tier, how busy the local GPU slots were, and how much of a crew's
 * time went to orchestration rather than to its tools and LLM calls.
 */
import { crewBreakdowns, stepRows, summarizeOrchestration } from '../measure';
import { figure, type Figure } from '../report';
import { drawTier, mixedOrder, result, routingNote, sleep, withRun, type Scenario } from '../scenario';
import { completedIn, seconds, standardSeries, windowFigures } from './window';

const TIER_MIX = { vip: 0.1, regular: 0.6, background: 0.3 };

export const saturation: Scenario = {
  name: 'saturation',
  title: 'mixed tiers above GPU capacity',
  async run(ctx) {
    const o = ctx.options;
    const nodes = o.nodes ?? 3;
    const slots = o.slots ?? 4;
    const totalSlots = nodes * slots;
    // 4 s per call keeps this machine's orchestration ahead of the GPUs, so the GPUs are the
    // bottleneck (the scenario's premise); at 0.8 s a 2-core box cannot feed 12 slots.
    const latencyMs = o.latencyMs ?? (o.short ? 800 : 4000);
    // "Above capacity": many more crews open than the GPU slots can serve at once.
    const inFlight = o.crews ?? (o.short ? 3 * totalSlots : 8 * totalSlots);
    const durationS = o.durationS ?? (o.short ? 12 : 150);
    // Crews need ~5 agent steps before their first LLM call: the GPUs fill up only after that.
    const warmupS = Math.min(o.short ? 4 : 30, durationS / 3);
    const pool = { nodes, slots, latencyMs, msPerToken: o.msPerToken ?? 0, cloudSlots: o.cloudSlots ?? 32, cloudLatencyMs: o.cloudLatencyMs ?? latencyMs, maxCachedWorkflows: o.maxCached };
    return withRun(ctx, { pool, catalog: { generalProducts: 60, soldOutProducts: 12, consignors: 0, productsPerConsignor: 0 } }, async (run) => {
      const until = run.t0 + durationS * 1000;
      const w0 = run.t0 + warmupS * 1000;
      const loop = run.driver.closedLoop({ group: 'all', inFlight, until, next: () => mixedOrder(run.rand, run.catalog, drawTier(run.rand, TIER_MIX), 0.3) });
      await sleep(w0 - Date.now());
      run.mark('measuring');
      await loop;
      const t1 = Date.now();
      run.mark('load stops', t1);
      const utilisation = run.sampler.average('localBusy', w0, t1) / totalSlots;
      const cloudBusy = run.sampler.average('cloudBusy', w0, t1);
      await run.driver.drain(t1 + (o.short ? 5_000 : 30_000));
      await run.driver.fillServerTimes(run.t0);
      const rows = await stepRows(ctx.infra.db, run.tag);
      const w = windowFigures(run, rows, w0, t1);
      const sample = completedIn(run.driver.crews, w0, t1).map((c) => c.workflowId);
      const orchestration = summarizeOrchestration(await crewBreakdowns(ctx.infra.client, sample, o.historySample ?? (o.short ? 20 : 200)));
      const localLlm = Object.entries(w.steps.llmByPool).filter(([p]) => p !== 'cloud').reduce((s, [, n]) => s + n, 0);
      const tierFigures: Figure[] = [];
      for (const tier of ['vip', 'regular', 'background'] as const) {
        const l = w.latencyByTier[tier];
        const open = w.openAtEndByTier[tier];
        const note = open ? `${open} ${tier} crew(s) were still open when the window closed; their (longer) latencies are not in these percentiles` : undefined;
        tierFigures.push(
          figure(`${tier}P50`, `${tier} crew latency p50`, seconds(l?.p50), 's'),
          figure(`${tier}P95`, `${tier} crew latency p95`, seconds(l?.p95), 's', undefined, note),
          figure(`${tier}P99`, `${tier} crew latency p99`, seconds(l?.p99), 's'),
        );
      }
      return result(ctx, saturation, run, {
        options: { nodes, slots, latencyMs, crewsInFlight: inFlight, durationS, warmupS, tierMix: TIER_MIX, substituteRate: 0.3 },
        figures: [
          figure('stepsPerMin', 'throughput: agent steps per minute', w.stepsPerMin, 'steps/min'),
          figure('crewsPerMin', 'crews completed per minute', w.crewsPerMin, 'crews/min'),
          ...tierFigures,
          figure('gpuUtilisation', 'local GPU-slot utilisation', utilisation * 100, '%', { op: '>=', value: 95 }),
          figure('orchestrationShare', 'orchestration share of crew time', orchestration.share === null ? null : orchestration.share * 100, '%', { op: '<=', value: 5 }),
          figure('llmLocalPerMin', 'LLM calls per minute on local pools', (localLlm / w.windowS) * 60, 'calls/min'),
          figure('llmCloudPerMin', 'LLM calls per minute on the cloud pool', ((w.steps.llmByPool.cloud ?? 0) / w.windowS) * 60, 'calls/min'),
        ],
        series: [
          ...standardSeries(run, rows, t1, totalSlots),
          { name: 'busy cloud slots', unit: 'slots', points: run.sampler.series('cloudBusy', run.t0, run.t0, t1) },
        ],
        notes: [
          routingNote(run),
          `${inFlight} crews kept open (closed loop; tiers ${Math.round(TIER_MIX.vip * 100)}/${Math.round(TIER_MIX.regular * 100)}/${Math.round(TIER_MIX.background * 100)} % VIP/regular/background, 30 % of orders need a substitute = a second LLM call) on ${nodes} node(s) × ${slots} slot(s) × ${latencyMs} ms; ${warmupS} s warm-up excluded, window ${w.windowS.toFixed(0)} s.`,
          `GPU-slot utilisation = busy slot-time / (slots × window), from the simulators' in-flight count sampled every 50 ms; the cloud pool averaged ${cloudBusy.toFixed(1)} busy slot(s).`,
          `Orchestration share = 1 − (LLM time from scheduled to closed, queueing for a GPU included, + agent-tool execution time) / crew wall time, over ${orchestration.crews} crews' histories; of it, waiting for an agent-tool slot ${pct(orchestration.toolQueueShare)} and workflow tasks/dispatch ${pct(orchestration.workflowShare)} of crew time.`,
          `${w.failed} crew(s) failed.`,
        ],
        details: { window: w, orchestration, utilisation, cloudBusySlots: cloudBusy },
      });
    });
  },
};

function pct(v: number | null): string {
  return v === null ? 'n/a' : `${(v * 100).toFixed(1)} %`;
}
