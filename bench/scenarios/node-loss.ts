/**
 * node-loss: steady regular work over the local pools, then one local pool dies (its simulator
 * node closes and its LLM worker stops) and later comes back. Reports how long until LLM calls
 * went to the cloud instead, what share the cloud then served, and how long the crews that were
 * open at the moment of the loss took to finish.
 */
import { crewEnd } from '../load';
import { stepRows, stepsBetween } from '../measure';
import { figure } from '../report';
import { mixedOrder, result, routingNote, sleep, withRun, type Scenario } from '../scenario';
import { bucketize } from '../stats';
import { seconds, standardSeries, windowFigures } from './window';

export const nodeLoss: Scenario = {
  name: 'node-loss',
  title: 'a local GPU pool dies mid-run',
  async run(ctx) {
    const o = ctx.options;
    const nodes = Math.max(2, o.nodes ?? 3);
    const slots = o.slots ?? 4;
    const totalSlots = nodes * slots;
    // Busy GPUs (as in saturation), so the dead pool has calls in flight and queued when it dies.
    const latencyMs = o.latencyMs ?? (o.short ? 800 : 3000);
    const inFlight = o.crews ?? (o.short ? 2 : 6) * totalSlots;
    const durationS = o.durationS ?? (o.short ? 15 : 150);
    const killAtS = durationS / 3;
    const restartAtS = (2 * durationS) / 3;
    const pool = { nodes, slots, latencyMs, msPerToken: o.msPerToken ?? 0, cloudSlots: o.cloudSlots ?? 32, cloudLatencyMs: o.cloudLatencyMs ?? latencyMs, maxCachedWorkflows: o.maxCached };
    return withRun(ctx, { pool, catalog: { generalProducts: 60, soldOutProducts: 12, consignors: 0, productsPerConsignor: 0 } }, async (run) => {
      const victim = run.pools.local[0]!.name;
      const until = run.t0 + durationS * 1000;
      const loop = run.driver.closedLoop({ group: 'all', inFlight, until, next: () => mixedOrder(run.rand, run.catalog, 'regular', 0.3) });
      await sleep(run.t0 + killAtS * 1000 - Date.now());
      // On a loaded machine the driver may not have crews in flight yet: the loss must hit open crews.
      const openDeadline = Date.now() + 30_000;
      while (!run.driver.crews.some((c) => c.status === 'running') && Date.now() < openDeadline) await sleep(100);
      const openAtKill = run.driver.crews.filter((c) => c.status === 'running');
      const killAt = run.mark(`${victim} dies`);
      await run.pools.kill(0);
      await sleep(run.t0 + restartAtS * 1000 - Date.now());
      const restartAt = run.mark(`${victim} back`);
      await run.pools.restart(0);
      await loop;
      const t1 = run.mark('load stops');
      // Give the crews open at the loss a bounded chance to finish (a stranded LLM call waits for
      // its schedule-to-start or schedule-to-close timeout).
      const deadline = t1 + (o.short ? 5_000 : 200_000);
      while (openAtKill.some((c) => c.status === 'running') && Date.now() < deadline) await sleep(200);
      await run.driver.fillServerTimes(run.t0);
      const rows = await stepRows(ctx.infra.db, run.tag);

      const before = windowFigures(run, rows, run.t0 + Math.min(10_000, killAtS * 500), killAt);
      const afterKill = stepsBetween(rows, killAt, restartAt);
      const llmAfterKill = afterKill.llm;
      const cloudAfterKill = afterKill.llmByPool.cloud ?? 0;
      const cloudBefore = stepsBetween(rows, run.t0, killAt).llmByPool.cloud ?? 0;
      const firstHandOver = rows.find((r) => r.t >= killAt && r.fallback === 'pool');
      const firstCloud = rows.find((r) => r.t >= killAt && r.kind === 'llm' && r.outcome === 'ok' && r.pool === 'cloud');
      const firstVictimBack = rows.find((r) => r.t >= restartAt && r.kind === 'llm' && r.outcome === 'ok' && r.pool === victim);
      const sinceKill = stepsBetween(rows, killAt, Number.MAX_SAFE_INTEGER);
      const stranded = openAtKill.filter((c) => c.status !== 'completed');
      const lastEnd = Math.max(killAt, ...openAtKill.map((c) => crewEnd(c) ?? killAt));
      const recoveryMs = stranded.length ? null : lastEnd - killAt;
      const down = windowFigures(run, rows, killAt, restartAt);
      const okByPool = (pool: string) => bucketize(rows.filter((r) => r.kind === 'llm' && r.outcome === 'ok' && (pool === 'local' ? r.pool !== 'cloud' : r.pool === pool)).map((r) => r.t), run.t0, t1);
      return result(ctx, nodeLoss, run, {
        options: { nodes, slots, latencyMs, crewsInFlight: inFlight, durationS, killAtS, restartAtS },
        figures: [
          figure('timeToHandOverS', 'time from the loss to the first LLM call handed to the next pool', firstHandOver ? (firstHandOver.t - killAt) / 1000 : null, 's',
            undefined, firstHandOver ? undefined : 'no LLM call was handed over after the loss'),
          figure('timeToCloudS', 'time from the loss to the first LLM answer from the cloud', firstCloud ? (firstCloud.t - killAt) / 1000 : null, 's',
            undefined, firstCloud ? undefined : 'no LLM call went to the cloud after the loss (regular work falls back to the other local pools first)'),
          figure('cloudShareAfterLoss', 'LLM calls served by the cloud while the pool was down', llmAfterKill ? (cloudAfterKill / llmAfterKill) * 100 : null, '%'),
          figure('poolFallbacks', 'LLM calls handed to the next pool after the loss', sinceKill.poolFallbacks, 'calls'),
          figure('deterministicFallbacks', 'LLM steps answered by the deterministic fallback after the loss', sinceKill.deterministicFallbacks, 'steps'),
          figure('recoveryS', 'time until every crew open at the loss had finished', seconds(recoveryMs), 's',
            undefined, stranded.length ? `${stranded.length} of ${openAtKill.length} crews open at the loss had not finished ${((deadline - killAt) / 1000).toFixed(0)} s later` : undefined),
          figure('rejoinS', `time from ${victim} coming back to its first answer`, firstVictimBack ? (firstVictimBack.t - restartAt) / 1000 : null, 's'),
          figure('crewsPerMinBefore', 'crews completed per minute before the loss', before.crewsPerMin, 'crews/min'),
          figure('crewsPerMinDown', `crews completed per minute while ${victim} was down`, down.crewsPerMin, 'crews/min'),
        ],
        series: [
          ...standardSeries(run, rows, t1, totalSlots),
          { name: 'LLM answers per second from local pools', unit: 'calls/s', points: okByPool('local') },
          { name: 'LLM answers per second from the cloud', unit: 'calls/s', points: okByPool('cloud') },
        ],
        notes: [
          routingNote(run),
          `${inFlight} regular crews kept open on ${nodes} local pools × ${slots} slots × ${latencyMs} ms plus the cloud; ${victim} (simulator node and LLM worker) killed at ${killAtS.toFixed(0)} s with ${openAtKill.length} crews open, restarted at ${restartAtS.toFixed(0)} s.`,
          `Before the loss the cloud served ${cloudBefore} LLM call(s); while ${victim} was down ${cloudAfterKill} of ${llmAfterKill}.`,
        ],
        details: { openAtKill: openAtKill.length, stranded: stranded.map((c) => c.workflowId).slice(0, 20), afterKill, before, down },
      });
    });
  },
};
