/**
 * ceiling: the LLM answers instantly, so what is left is orchestration — Temporal, the workers,
 * Postgres — on this machine. Reports agent steps/min and where the CPU went.
 */
import { crewBreakdowns, stepRows, summarizeOrchestration } from '../measure';
import { cpuSnapshot, cpuSplit } from '../platform';
import { figure } from '../report';
import { mixedOrder, result, routingNote, sleep, withRun, type Scenario } from '../scenario';
import { completedIn, seconds, standardSeries, windowFigures } from './window';

export const ceiling: Scenario = {
  name: 'ceiling',
  title: 'orchestration ceiling with a zero-latency LLM',
  async run(ctx) {
    const o = ctx.options;
    const nodes = o.nodes ?? 3;
    const slots = o.slots ?? 16;
    const inFlight = o.crews ?? (o.short ? 24 : 100);
    const durationS = o.durationS ?? (o.short ? 10 : 90);
    const warmupS = Math.min(o.short ? 4 : 20, durationS / 3);
    const pool = { nodes, slots, latencyMs: o.latencyMs ?? 0, msPerToken: o.msPerToken ?? 0, cloudSlots: o.cloudSlots ?? 16, cloudLatencyMs: o.cloudLatencyMs ?? 0, maxCachedWorkflows: o.maxCached };
    return withRun(ctx, { pool, catalog: { generalProducts: 60, soldOutProducts: 10, consignors: 0, productsPerConsignor: 0 } }, async (run) => {
      const until = run.t0 + durationS * 1000;
      const w0 = run.t0 + warmupS * 1000;
      const loop = run.driver.closedLoop({ group: 'all', inFlight, until, next: () => mixedOrder(run.rand, run.catalog, 'regular', 0.3) });
      await sleep(w0 - Date.now());
      run.mark('measuring');
      const cpuA = await cpuSnapshot(ctx.infra.temporalPid);
      await loop;
      const t1 = Date.now();
      const cpuB = await cpuSnapshot(ctx.infra.temporalPid);
      run.mark('load stops', t1);
      await run.driver.drain(t1 + (o.short ? 5_000 : 20_000));
      await run.driver.fillServerTimes(run.t0);
      const rows = await stepRows(ctx.infra.db, run.tag);
      const w = windowFigures(run, rows, w0, t1);
      const cpu = cpuSplit(cpuA, cpuB);
      const sample = completedIn(run.driver.crews, w0, t1).map((c) => c.workflowId);
      const orchestration = summarizeOrchestration(await crewBreakdowns(ctx.infra.client, sample, o.historySample ?? (o.short ? 20 : 200)));
      const lat = w.latencyByTier.regular;
      return result(ctx, ceiling, run, {
        options: { nodes, slots, latencyMs: pool.latencyMs, crewsInFlight: inFlight, durationS, warmupS },
        figures: [
          figure('stepsPerMin', 'agent steps per minute at the ceiling', w.stepsPerMin, 'steps/min', { op: '>=', value: 5000 }),
          figure('crewsPerMin', 'crews completed per minute', w.crewsPerMin, 'crews/min'),
          figure('latencyP50', 'crew latency p50', seconds(lat?.p50), 's'),
          figure('latencyP95', 'crew latency p95', seconds(lat?.p95), 's'),
          figure('benchCores', 'CPU: workers + load driver (this process)', cpu.benchProcessCores ?? null, 'cores'),
          figure('temporalCores', 'CPU: Temporal dev server', cpu.temporalServerCores ?? null, 'cores',
            undefined, ctx.infra.temporalPid ? undefined : 'server not started by the bench'),
          figure('postgresCores', 'CPU: Postgres (all databases on the box)', cpu.postgresCores ?? null, 'cores'),
          figure('otherCores', 'CPU: everything else on the machine', cpu.otherCores ?? null, 'cores'),
          figure('toolExecShare', 'crew time in agent tools (SQL)', orchestration.toolExecShare === null ? null : orchestration.toolExecShare * 100, '%'),
          figure('toolQueueShare', 'crew time waiting for a tool slot/dispatch', orchestration.toolQueueShare === null ? null : orchestration.toolQueueShare * 100, '%'),
          figure('workflowShare', 'crew time in workflow tasks and dispatch', orchestration.workflowShare === null ? null : orchestration.workflowShare * 100, '%'),
        ],
        series: standardSeries(run, rows, t1, nodes * slots),
        notes: [
          routingNote(run),
          `${inFlight} crews kept open (closed loop), ${warmupS} s warm-up excluded; window ${w.windowS.toFixed(0)} s; ${w.failed} crew(s) failed.`,
          'All workers, the simulators and the load driver share one Node process; CPU figures are averages over the window, in cores of this machine.',
        ],
        details: { window: w, cpu, orchestration },
      });
    });
  },
};
