/**
 * vip-under-flood: VIP crews at a steady rate, first alone, then while background crews flood the
 * platform at ten times what the GPU slots can hold. The VIP p95 under flood over the VIP p95
 * alone is the figure: priorities (and the router's urgent → cloud rule) should keep it near 1.
 */
import { crewLatencyMs, type Crew } from '../load';
import { crewBreakdowns, stepRows, stepsBetween, summarizeOrchestration, type OrchestrationSummary } from '../measure';
import { figure } from '../report';
import { mixedOrder, result, routingNote, sleep, withRun, type Scenario } from '../scenario';
import { summarize } from '../stats';
import { seconds, standardSeries } from './window';

export const vipUnderFlood: Scenario = {
  name: 'vip-under-flood',
  title: 'VIP latency alone and under 10× background overload',
  async run(ctx) {
    const o = ctx.options;
    const nodes = o.nodes ?? 3;
    const slots = o.slots ?? 4;
    const totalSlots = nodes * slots;
    const latencyMs = o.latencyMs ?? 800;
    const floodFactor = 10;
    const floodInFlight = o.crews ?? floodFactor * totalSlots;
    const phaseS = o.durationS ?? (o.short ? 5 : 45);
    const floodWarmupS = o.short ? 3 : 15;
    const vipEveryMs = o.short ? 1000 : 1500;
    const pool = { nodes, slots, latencyMs, msPerToken: o.msPerToken ?? 0, cloudSlots: o.cloudSlots ?? 32, cloudLatencyMs: o.cloudLatencyMs ?? latencyMs, maxCachedWorkflows: o.maxCached };
    return withRun(ctx, { pool, catalog: { generalProducts: 60, soldOutProducts: 12, consignors: 0, productsPerConsignor: 0 } }, async (run) => {
      const vip = () => mixedOrder(run.rand, run.catalog, 'vip', 0.3, 'vip');
      const vipDrainMs = o.short ? 6_000 : 60_000;

      // Phase A: VIP alone.
      const aStart = run.mark('VIP alone');
      const alone = await run.driver.openLoop({ intervalMs: vipEveryMs, until: aStart + phaseS * 1000, next: vip });
      await waitFor(alone, Date.now() + vipDrainMs);

      // Phase B: the flood, then the same VIP stream once the backlog has built up.
      const fStart = run.mark('background flood');
      let floodOver = false;
      const flood = run.driver.closedLoop({
        group: 'background', inFlight: floodInFlight, until: fStart + 3_600_000, stop: () => floodOver,
        next: () => mixedOrder(run.rand, run.catalog, 'background', 0.3, 'background'),
      });
      await sleep(floodWarmupS * 1000);
      const bStart = run.mark('VIP under flood');
      const flooded = await run.driver.openLoop({ intervalMs: vipEveryMs, until: bStart + phaseS * 1000, next: vip });
      // The flood goes on until the last VIP crew is done, so none of them ends in a quiet system.
      await waitFor(flooded, Date.now() + vipDrainMs);
      floodOver = true;
      const t1 = run.mark('flood stops');
      await flood;

      await run.driver.fillServerTimes(run.t0);
      const rows = await stepRows(ctx.infra.db, run.tag);
      const a = summarize(latencies(alone));
      const b = summarize(latencies(flooded));
      const ratio = a.p95 && b.p95 ? b.p95 / a.p95 : null;
      const floodSteps = stepsBetween(rows, bStart, t1);
      const floodS = (t1 - bStart) / 1000;
      const unfinished = [...alone, ...flooded].filter((c) => c.status !== 'completed').length;
      // Where a VIP crew's time went, alone and under the flood (from the crews' histories).
      const done = (cs: Crew[]) => cs.filter((c) => c.status === 'completed').map((c) => c.workflowId);
      const whereA = summarizeOrchestration(await crewBreakdowns(ctx.infra.client, done(alone), 100));
      const whereB = summarizeOrchestration(await crewBreakdowns(ctx.infra.client, done(flooded), 100));
      const vipIds = new Set([...alone, ...flooded].map((c) => c.workflowId));
      const vipPools = stepsBetween(rows.filter((r) => vipIds.has(r.workflowId)), run.t0, t1 + 1).llmByPool;
      return result(ctx, vipUnderFlood, run, {
        options: { nodes, slots, latencyMs, floodFactor, floodInFlight, phaseS, floodWarmupS, vipEveryMs },
        figures: [
          figure('vipAloneP50', 'VIP crew latency p50, alone', seconds(a.p50), 's'),
          figure('vipAloneP95', 'VIP crew latency p95, alone', seconds(a.p95), 's'),
          figure('vipFloodP50', 'VIP crew latency p50, under flood', seconds(b.p50), 's'),
          figure('vipFloodP95', 'VIP crew latency p95, under flood', seconds(b.p95), 's'),
          figure('vipP95Ratio', 'VIP p95 under flood / alone', ratio, '×', { op: '<=', value: 1.2 }),
          figure('floodStepsPerMin', 'background throughput during the flood', (floodSteps.steps / Math.max(0.001, floodS)) * 60, 'steps/min'),
        ],
        series: standardSeries(run, rows, Date.now(), totalSlots),
        notes: [
          routingNote(run),
          `VIP crews every ${vipEveryMs} ms for ${phaseS} s alone (${alone.length} crews), then for ${phaseS} s under a flood of ${floodInFlight} background crews kept open (${floodFactor}× the ${totalSlots} GPU slots; ${flooded.length} VIP crews); the flood ran ${floodWarmupS} s before the VIP stream resumed and until its last VIP crew ended.`,
          `Where a VIP crew's time went, alone → under flood (mean crew ${ms(whereA.meanWallMs)} → ${ms(whereB.meanWallMs)}): LLM calls ${split(whereA, 'llmShare')} → ${split(whereB, 'llmShare')}, agent-tool execution ${split(whereA, 'toolExecShare')} → ${split(whereB, 'toolExecShare')}, waiting for an agent-tool slot ${split(whereA, 'toolQueueShare')} → ${split(whereB, 'toolQueueShare')}, workflow tasks and dispatch ${split(whereA, 'workflowShare')} → ${split(whereB, 'workflowShare')}.`,
          `LLM calls of VIP crews by pool: ${Object.entries(vipPools).map(([p, n]) => `${p} ${n}`).join(', ') || 'none'}.`,
          ...(unfinished ? [`${unfinished} VIP crew(s) did not finish within ${vipDrainMs / 1000} s of their phase and are not in the percentiles.`] : []),
        ],
        details: { alone: a, flooded: b, ratio, floodSteps, vipLlmByPool: vipPools, whereAlone: whereA, whereFlooded: whereB },
      });
    });
  },
};

function ms(v: number | null): string {
  return v === null ? 'n/a' : `${(v / 1000).toFixed(2)} s`;
}

function split(s: OrchestrationSummary, key: 'llmShare' | 'toolExecShare' | 'toolQueueShare' | 'workflowShare'): string {
  const v = s[key];
  return v === null || s.meanWallMs === null ? 'n/a' : `${((v * s.meanWallMs) / 1000).toFixed(2)} s`;
}

function latencies(crews: Crew[]): number[] {
  return crews.filter((c) => c.status === 'completed').map(crewLatencyMs).filter((v): v is number => v !== undefined);
}

async function waitFor(crews: Crew[], deadline: number): Promise<void> {
  while (crews.some((c) => c.status === 'running') && Date.now() < deadline) await sleep(100);
}
