/**
 * What every scenario shares: its options, a run (pools + catalog + driver + samplers started for
 * it, and everything stopped after it, leaving no crew open), the order mix, and the result shell.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { PriorityTier } from '../src/shared/priority';
import { createCatalog, type BenchCatalog, type CatalogOptions } from './fixtures';
import { Driver, type CrewSpec, type Routing } from './load';
import { Sampler, type Probe } from './measure';
import { processFaults, startPools, type CrewsTuning, type Infra, type Log, type PoolOptions, type Pools } from './platform';
import type { Figure, Marker, ScenarioResult, Series } from './report';
import { rng } from './stats';

/**
 * Whether `fulfillOrder` picks its LLM pool itself when the input names none (the hybrid router,
 * `LlmCaller` in src/workflows/proxies.ts). Without it an order lacking `llmPool` would go to the
 * `local` queue, which the bench does not serve; `--routing pinned` pins crews round-robin to the
 * bench's local pools instead (the comparison without a router).
 */
export const ROUTER_AVAILABLE = true;

export interface BenchOptions {
  short: boolean;
  nodes?: number;
  slots?: number;
  latencyMs?: number;
  msPerToken?: number;
  cloudSlots?: number;
  cloudLatencyMs?: number;
  /** Crews in flight (closed loop), or crews to open (in-flight). */
  crews?: number;
  durationS?: number;
  routing: Routing | 'auto';
  maxCached?: number;
  seed: number;
  historySample?: number;
  /** in-flight: heap limit of the crews worker process, as a container memory limit would set it. */
  workerHeapMiB?: number;
  /** Crews worker tuning (only with the crews worker in this process). */
  crewsTuning?: CrewsTuning;
}

export interface ScenarioContext {
  infra: Infra;
  options: BenchOptions;
  log: Log;
  /** The command line that reproduces this run, for the report. */
  command: string;
  /** Lets main() end the current run's crews on Ctrl-C. */
  onDriver?: (driver: Driver | undefined) => void;
}

export interface Scenario {
  name: string;
  title: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

export function routingOf(options: BenchOptions): Routing {
  if (options.routing === 'auto') return ROUTER_AVAILABLE ? 'router' : 'pinned';
  return options.routing;
}

export function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

/** Buyer by tier of work: VIP orders from VIP buyers, background (restocking-like) from B2B, the rest retail. */
function buyerFor(rand: () => number, catalog: BenchCatalog, tier: PriorityTier): string {
  return pick(rand, tier === 'vip' ? catalog.buyers.vip : tier === 'background' ? catalog.buyers.b2b : catalog.buyers.retail);
}

/** An ordinary order: 1–3 distinct in-stock lines; with probability `substituteRate` one line is sold out. */
export function mixedOrder(rand: () => number, catalog: BenchCatalog, tier: PriorityTier, substituteRate: number, group: string = tier): CrewSpec {
  const lines = 1 + Math.floor(rand() * 3);
  const skus = new Set<string>();
  while (skus.size < lines) skus.add(pick(rand, catalog.general));
  const items = [...skus].map((sku) => ({ sku, qty: 1 + Math.floor(rand() * 3) }));
  if (catalog.soldOut.length && rand() < substituteRate) items[0] = { sku: pick(rand, catalog.soldOut), qty: 1 };
  return { tier, buyerCode: buyerFor(rand, catalog, tier), items, group };
}

/** A tier drawn from a mix such as { vip: 0.1, regular: 0.6, background: 0.3 }. */
export function drawTier(rand: () => number, mix: Record<PriorityTier, number>): PriorityTier {
  let r = rand() * (mix.vip + mix.regular + mix.background);
  for (const tier of ['vip', 'regular', 'background'] as const) {
    r -= mix[tier];
    if (r < 0) return tier;
  }
  return 'background';
}

export interface Run {
  tag: string;
  /** The scenario's time origin (ms): chart x = 0. */
  t0: number;
  startedAt: string;
  infra: Infra;
  pools: Pools;
  pool: PoolOptions;
  catalog: BenchCatalog;
  driver: Driver;
  sampler: Sampler;
  routing: Routing;
  rand: () => number;
  /** processFaults.unhandledRejections when the run began. */
  faultsAtStart: number;
  /** The machine's 1-minute load average when the run began (the box is shared). */
  loadAtStart: number;
  markers: Marker[];
  notes: string[];
  log: Log;
  /** Marks a moment on the chart. */
  mark(label: string, at?: number): number;
  /** Seconds since t0. */
  sec(t: number): number;
}

export interface RunSetup {
  pool: PoolOptions;
  catalog: Omit<CatalogOptions, 'tag'>;
  extraProbes?: (run: { pools: Pools; driver: Driver }) => Probe[];
}

/** Busy GPU slots of the local pools that are up, and of the cloud. */
export function slotProbes(pools: Pools): Probe[] {
  return [
    { name: 'localBusy', read: () => pools.local.reduce((s, p) => s + (p.alive ? p.sim.stats().inFlight : 0), 0) },
    { name: 'cloudBusy', read: () => pools.cloud.sim.stats().inFlight },
  ];
}

/**
 * Starts a scenario's pools, catalog, driver and samplers, runs `body`, and always tears down:
 * open crews terminated, workers and simulator nodes stopped.
 */
export async function withRun<T>(ctx: ScenarioContext, setup: RunSetup, body: (run: Run) => Promise<T>): Promise<T> {
  const tag = `b${randomBytes(4).toString('hex')}`;
  const catalog = await createCatalog(ctx.infra.db, { tag, ...setup.catalog });
  const pools = await startPools(ctx.infra, { ...setup.pool, crewsTuning: ctx.options.crewsTuning }, ctx.log, `gfbench:${tag}`);
  const routing = routingOf(ctx.options);
  const driver = new Driver(ctx.infra.client, { tag, routing, localPools: () => pools.local.filter((p) => p.alive).map((p) => p.name) });
  ctx.onDriver?.(driver);
  const sampler = new Sampler([
    ...slotProbes(pools),
    { name: 'running', read: () => driver.running },
    ...(setup.extraProbes?.({ pools, driver }) ?? []),
  ]);
  const t0 = Date.now();
  const markers: Marker[] = [];
  const run: Run = {
    tag, t0, startedAt: new Date(t0).toISOString(), infra: ctx.infra, pools, pool: setup.pool, catalog, driver, sampler, routing,
    rand: rng(ctx.options.seed), faultsAtStart: processFaults.unhandledRejections, loadAtStart: os.loadavg()[0]!, markers, notes: [], log: ctx.log,
    mark(label, at = Date.now()) {
      markers.push({ t: (at - t0) / 1000, label });
      return at;
    },
    sec: (t) => (t - t0) / 1000,
  };
  sampler.start();
  try {
    return await body(run);
  } finally {
    sampler.stop();
    const left = await driver.terminateRunning('benchmark scenario over');
    if (left) ctx.log(`terminated ${left} crew(s) still open at the end of the scenario`);
    ctx.onDriver?.(undefined);
    await pools.stop();
  }
}

export function environment(ctx: ScenarioContext, run: Run): Record<string, unknown> {
  return {
    host: os.hostname(),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage1m: { atStart: run.loadAtStart, atEnd: os.loadavg()[0] },
    node: process.version,
    temporal: ctx.infra.temporalAddress,
    temporalStartedByBench: ctx.infra.temporalPid !== undefined,
    database: ctx.infra.databaseUrl.replace(/\/\/[^@]*@/, '//'),
    routing: run.routing,
    crewsTuning: ctx.options.crewsTuning ?? 'SDK defaults',
    pools: { ...run.pool, crewsWorkerMaxCachedWorkflows: run.pools.crews?.options.maxCachedWorkflows ?? 'SDK default in the crews worker process' },
    tag: run.tag,
  };
}

export function result(ctx: ScenarioContext, scenario: Scenario, run: Run, parts: { figures: Figure[]; series: Series[]; notes?: string[]; details: Record<string, unknown>; options: Record<string, unknown> }): ScenarioResult {
  const finished = Date.now();
  return {
    scenario: scenario.name,
    title: scenario.title,
    startedAt: run.startedAt,
    finishedAt: new Date(finished).toISOString(),
    wallS: (finished - run.t0) / 1000,
    short: ctx.options.short,
    command: ctx.command,
    options: parts.options,
    environment: environment(ctx, run),
    figures: parts.figures,
    series: parts.series,
    markers: run.markers,
    notes: [
      ...run.notes, ...(parts.notes ?? []),
      ...(processFaults.unhandledRejections > run.faultsAtStart
        ? [`${processFaults.unhandledRejections - run.faultsAtStart} unhandled promise rejection(s) in platform code during this run (a worker would have crashed on the first): ${processFaults.samples[0] ?? ''}`]
        : []),
    ],
    details: { ...parts.details, unhandledRejections: processFaults.unhandledRejections - run.faultsAtStart },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

/** The routing note every report carries, so a reader knows which path the LLM calls took. */
export function routingNote(run: Run): string {
  return run.routing === 'router'
    ? 'LLM pools chosen by the platform\'s hybrid router (orders carry no llmPool).'
    : `LLM pools pinned by the bench, round-robin over ${run.pools.local.map((p) => p.name).join(', ')} (the hybrid router was not available to this run).`;
}
