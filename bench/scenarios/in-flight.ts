/**
 * in-flight: a thousand crews opened at once and parked where 1000+ agents really wait — on the
 * GPUs. The simulator nodes answer slowly (a hold latency) until the crews have worked through
 * their agent steps and sit in the crews worker's cache waiting for their LLM call; then the nodes
 * speed up and the crews drain. Reports how many crews were open and how many cached together,
 * the memory of the crews worker holding them, and what its workflow cache did. The crews worker
 * runs as its own process from the production entry point, so its memory is its own.
 */
import v8 from 'node:v8';
import { cacheMetrics, stepRows, type CacheMetrics } from '../measure';
import { figure } from '../report';
import { mixedOrder, result, routingNote, sleep, withRun, type Scenario } from '../scenario';
import { standardSeries } from './window';

const MiB = 2 ** 20;

/** The SDK's default cache size (worker-options.js, reuseV8Context) for a heap limit. */
function sdkDefaultMaxCached(heapLimitMiB: number): number {
  return Math.max(Math.floor((Math.max(heapLimitMiB - 200, 0) * 600) / 1024), 10);
}

export const inFlight: Scenario = {
  name: 'in-flight',
  title: '1000 crews open at once',
  async run(ctx) {
    const o = ctx.options;
    const nodes = o.nodes ?? 3;
    const slots = o.slots ?? 4;
    const latencyMs = o.latencyMs ?? 800;
    const crews = o.crews ?? (o.short ? 40 : 1000);
    const durationS = o.durationS ?? (o.short ? 16 : 420);
    // Below the providers' 60 s request timeout and the LLM activity's 90 s start-to-close, long
    // enough that the GPUs drain little while the crews fill up.
    const holdMs = o.short ? 5_000 : 45_000;
    const fillLimitS = o.short ? 8 : 240;
    // The production entry point takes no cache size; a forced one needs the worker in this process.
    const crewsIn = o.maxCached === undefined ? 'child' as const : 'process' as const;
    const pool = { nodes, slots, latencyMs: holdMs, msPerToken: 0, cloudSlots: o.cloudSlots ?? 32, cloudLatencyMs: holdMs, maxCachedWorkflows: o.maxCached, crewsIn, childHeapMiB: o.workerHeapMiB };
    let workerRss: () => number = () => process.memoryUsage.rss() / MiB;
    const setup = {
      pool,
      catalog: { generalProducts: 80, soldOutProducts: 12, consignors: 0, productsPerConsignor: 0 },
      extraProbes: () => [
        { name: 'workerRssMiB', read: () => workerRss() },
        { name: 'benchRssMiB', read: () => process.memoryUsage.rss() / MiB },
      ],
    };
    return withRun(ctx, setup, async (run) => {
      const child = run.pools.crewsChild;
      if (child) workerRss = () => child.rssMiB();
      const metricsUrl = child?.sdkMetricsUrl ?? ctx.infra.sdkMetricsUrl;
      const cacheBefore = await cacheMetrics(metricsUrl);
      const rssBefore = workerRss();
      const cacheSeries: [number, number][] = [];
      let cachedNow = 0;
      let peakCached = 0;
      let peakCache: CacheMetrics | undefined;
      let rssAtPeakCached = 0;
      let polling = true;
      const poller = (async () => {
        while (polling) {
          const m = await cacheMetrics(metricsUrl);
          if (m) {
            cachedNow = m.size;
            cacheSeries.push([run.sec(Date.now()), m.size]);
            if (m.size >= peakCached) { peakCached = m.size; peakCache = m; rssAtPeakCached = workerRss(); }
          }
          await sleep(1000);
        }
      })();

      run.mark('opening');
      await run.driver.startMany(Array.from({ length: crews }, () => mixedOrder(run.rand, run.catalog, 'regular', 0.3, 'all')), 16);
      const allStarted = run.mark(`${crews} started`);
      // The server's own count, so "open" is not just this process's bookkeeping.
      const serverOpen = await ctx.infra.client.workflow.count(`WorkflowType = 'fulfillOrder' AND ExecutionStatus = 'Running' AND StartTime >= '${new Date(run.t0 - 5000).toISOString()}'`)
        .then((r) => r.count).catch(() => null);
      const openAfterStart = run.driver.running;

      // Fill: wait until (nearly) every open crew has done its Finance step — only the confirmation
      // (an LLM call) is left — and sits in the worker's cache.
      const parked = async () => (await ctx.infra.db.query<{ n: number }>(
        `SELECT count(DISTINCT workflow_id)::int AS n FROM agent_runs WHERE workflow_id LIKE $1 AND step = 'finance' AND outcome = 'ok'`, [`order-${run.tag}-%`])).rows[0]!.n;
      const fillBy = run.t0 + fillLimitS * 1000;
      let parkedNow = 0;
      while (Date.now() < fillBy && (parkedNow < 0.98 * crews || cachedNow < 0.98 * run.driver.running)) {
        await sleep(1000);
        parkedNow = await parked();
      }
      const released = run.mark('GPUs speed up');
      for (const p of [...run.pools.local.map((l) => l.sim), run.pools.cloud.sim]) p.setLatency(latencyMs);
      const deadline = run.t0 + durationS * 1000;
      while (run.driver.running > 0 && Date.now() < deadline) await sleep(500);
      polling = false;
      await poller;
      const t1 = run.mark(run.driver.running ? 'time limit' : 'all done');
      const cacheAfter = await cacheMetrics(metricsUrl);
      const rows = await stepRows(ctx.infra.db, run.tag);
      const open = run.sampler.data.get('running')!;
      const rss = run.sampler.data.get('workerRssMiB')!;
      const completed = run.driver.crews.filter((c) => c.status === 'completed').length;
      const fallbacks = run.driver.crews.filter((c) => c.fallbacks?.length).length;
      const delta = (k: keyof CacheMetrics) => (cacheAfter && cacheBefore ? cacheAfter[k] - cacheBefore[k] : null);
      const heapLimitMiB = o.workerHeapMiB ?? Math.round(v8.getHeapStatistics().heap_size_limit / MiB);
      const maxCached = run.pools.crews?.options.maxCachedWorkflows ?? sdkDefaultMaxCached(heapLimitMiB);
      const where = child ? `the crews worker process (src/workers/crews.ts, pid ${child.pid})` : 'this process (every worker, the simulators and the load driver)';
      return result(ctx, inFlight, run, {
        options: { nodes, slots, latencyMs, holdMs, crews, durationS, maxCachedWorkflows: maxCached, crewsWorker: crewsIn, workerHeapMiB: o.workerHeapMiB ?? null },
        figures: [
          figure('peakOpen', 'crews open at once (peak)', open.max, 'crews', { op: '>=', value: o.short ? crews : 1000 }),
          figure('serverOpen', 'crews the server counted running after the start burst', serverOpen, 'crews'),
          figure('peakCached', 'crews held in the worker cache at once (peak)', cacheSeries.length ? peakCached : null, 'crews'),
          figure('peakRss', 'crews worker RSS, peak', rss.max, 'MiB', { op: '<=', value: 1024 }),
          figure('rssAtPeakCached', 'crews worker RSS when the cache was fullest', cacheSeries.length ? rssAtPeakCached : null, 'MiB'),
          figure('rssBefore', 'crews worker RSS before the crews', rssBefore, 'MiB'),
          figure('maxCached', 'workflow cache size (maxCachedWorkflows)', maxCached, 'crews'),
          figure('evictions', 'forced workflow cache evictions', delta('forcedEvictions'), 'evictions',
            undefined, cacheAfter ? undefined : 'the SDK metrics endpoint was not available'),
          figure('stickyMisses', 'workflow tasks that missed the cache (replayed)', delta('misses'), 'tasks'),
          figure('openS', `time to start ${crews} crews`, (allStarted - run.t0) / 1000, 's'),
          figure('fillS', 'time until the crews were parked on the GPUs', (released - run.t0) / 1000, 's',
            undefined, parkedNow < 0.98 * crews ? `only ${parkedNow} of ${crews} had reached their last LLM call when the ${fillLimitS} s fill limit ended` : undefined),
          figure('completed', `crews completed within ${durationS} s`, completed, 'crews'),
          figure('benchRss', 'bench process RSS, peak (agents + LLM workers, simulators, load driver)', run.sampler.data.get('benchRssMiB')!.max, 'MiB'),
        ],
        series: [
          { name: 'crews open', unit: 'crews', points: run.sampler.series('running', run.t0, run.t0, t1) },
          { name: 'crews in the workflow cache', unit: 'crews', points: cacheSeries },
          { name: 'crews worker RSS', unit: 'MiB', points: run.sampler.series('workerRssMiB', run.t0, run.t0, t1) },
          standardSeries(run, rows, t1, nodes * slots)[0]!,
        ],
        notes: [
          routingNote(run),
          `${crews} crews started with 16 start requests in flight; ${openAfterStart} were open when the last start returned. The ${nodes} × ${slots} local slots and the cloud's ${pool.cloudSlots} answered in ${holdMs / 1000} s until the crews were parked (or ${fillLimitS} s passed), then in ${latencyMs} ms.`,
          `RSS is that of ${where}${child ? ', which bundles the workflow code at start-up as production does' : ''}; the bench process's own RSS is listed apart.`,
          `maxCachedWorkflows ${run.pools.crews ? 'as set' : `is the SDK's default for a ${heapLimitMiB} MiB heap limit${o.workerHeapMiB ? ' (--worker-heap-mib)' : ' (this machine\'s Node default)'}: floor((heap − 200 MiB) × 600 / 1024)`}.`,
          `${fallbacks} crew(s) used a deterministic LLM fallback (a call that waited past its 3-minute schedule-to-close).`,
        ],
        details: { cacheBefore, peakCache, cacheAfter, openAfterStart },
      });
    });
  },
};
