/**
 * What the benchmark measures, from the outside of the platform: simulator slot occupancy and
 * process memory sampled over time, the agent-run journal in Postgres (every agent tool and LLM
 * call the crews made), the crews' Temporal histories (where a crew's time went) and the SDK's
 * Prometheus metrics (workflow cache).
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../src/db/pool';
import { Integrator } from './stats';

// ---- sampled probes --------------------------------------------------------------------------------

export interface Probe {
  name: string;
  read: () => number;
}

export interface ProbeData {
  integral: Integrator;
  max: number;
}

/** Samples each probe every `intervalMs` and integrates it (e.g. busy GPU slots → busy slot-time). */
export class Sampler {
  readonly data = new Map<string, ProbeData>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly probes: Probe[], private readonly intervalMs = 50) {
    for (const p of probes) this.data.set(p.name, { integral: new Integrator(), max: 0 });
  }

  start(): this {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    return this;
  }

  private tick() {
    const now = Date.now();
    for (const p of this.probes) {
      const v = p.read();
      const d = this.data.get(p.name)!;
      d.integral.sample(now, v);
      if (v > d.max) d.max = v;
    }
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.tick();
  }

  /** Time-average of a probe over [t0, t1]. */
  average(name: string, t0: number, t1: number): number {
    return this.data.get(name)!.integral.between(t0, t1) / Math.max(1, t1 - t0);
  }

  /** Per-`widthMs` averages from t0 to t1, as chart points (seconds since `origin`). */
  series(name: string, origin: number, t0: number, t1: number, widthMs = 1000): [number, number][] {
    const out: [number, number][] = [];
    for (let t = t0; t + widthMs <= t1 + 1; t += widthMs) out.push([(t + widthMs - origin) / 1000, this.average(name, t, t + widthMs)]);
    return out;
  }
}

// ---- the agent-run journal ------------------------------------------------------------------------

export interface StepRow {
  t: number;
  workflowId: string;
  kind: 'tool' | 'llm';
  pool: string | null;
  outcome: string;
  /** For `fallback` rows: a hand-over to the next pool, or the step's deterministic answer. */
  fallback?: 'pool' | 'deterministic';
}

/** Every journaled agent tool and LLM attempt of this run's crews (workflow ids `order-<tag>-…`). */
export async function stepRows(db: Db, tag: string): Promise<StepRow[]> {
  const r = await db.query<{ t: number; workflow_id: string; kind: 'tool' | 'llm'; pool: string | null; outcome: string; detail: string | null }>(
    `SELECT (extract(epoch FROM created_at) * 1000)::float8 AS t, workflow_id, kind, pool, outcome,
            CASE WHEN outcome = 'fallback' THEN left(detail, 20) END AS detail
     FROM agent_runs WHERE workflow_id LIKE $1 ORDER BY created_at`, [`order-${tag}-%`]);
  return r.rows.map((x) => ({
    t: Number(x.t), workflowId: x.workflow_id, kind: x.kind, pool: x.pool, outcome: x.outcome,
    ...(x.outcome === 'fallback' ? { fallback: x.detail?.startsWith('pool') ? 'pool' as const : 'deterministic' as const } : {}),
  }));
}

/** An agent step = one completed activity of an agent: a tool that succeeded or an LLM answer accepted. */
export function isCompletedStep(row: StepRow): boolean {
  return row.outcome === 'ok';
}

export interface StepCounts {
  steps: number;
  tools: number;
  llm: number;
  llmByPool: Record<string, number>;
  /** LLM calls handed from one pool to the next (schedule-to-start timeout, pool failed for good). */
  poolFallbacks: number;
  /** LLM steps answered by code after every pool failed. */
  deterministicFallbacks: number;
}

export function stepsBetween(rows: StepRow[], t0: number, t1: number): StepCounts {
  let tools = 0;
  let llm = 0;
  let poolFallbacks = 0;
  let deterministicFallbacks = 0;
  const llmByPool: Record<string, number> = {};
  for (const r of rows) {
    if (r.t < t0 || r.t >= t1) continue;
    if (r.fallback === 'pool') poolFallbacks++;
    if (r.fallback === 'deterministic') deterministicFallbacks++;
    if (!isCompletedStep(r)) continue;
    if (r.kind === 'tool') tools++;
    else {
      llm++;
      const pool = r.pool ?? 'unknown';
      llmByPool[pool] = (llmByPool[pool] ?? 0) + 1;
    }
  }
  return { steps: tools + llm, tools, llm, llmByPool, poolFallbacks, deterministicFallbacks };
}

// ---- where a crew's time went (its Temporal history) ---------------------------------------------

export interface CrewBreakdown {
  workflowId: string;
  wallMs: number;
  /** LLM activities from scheduled to closed: waiting for a GPU slot, generating, retrying. */
  llmMs: number;
  llmQueueMs: number;
  /** Agent tools from started to closed: the SQL and code of the tool itself. */
  toolExecMs: number;
  /** Agent tools from scheduled to started: waiting for a worker slot (orchestration). */
  toolQueueMs: number;
  activities: number;
  workflowTasks: number;
}

type Ts = { seconds?: unknown; nanos?: number | null } | null | undefined;

function tsMs(ts: Ts): number {
  if (!ts) return NaN;
  const s = ts.seconds;
  const seconds = typeof s === 'number' ? s : s && typeof (s as { toNumber?: unknown }).toNumber === 'function' ? (s as { toNumber(): number }).toNumber() : Number(s ?? 0);
  return seconds * 1000 + (ts.nanos ?? 0) / 1e6;
}

function idOf(v: unknown): string {
  return String(v);
}

export async function crewBreakdown(client: Client, workflowId: string): Promise<CrewBreakdown | undefined> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  let started = NaN;
  let closed = NaN;
  const scheduled = new Map<string, { t: number; llm: boolean }>();
  const startedAt = new Map<string, number>();
  const out = { llmMs: 0, llmQueueMs: 0, toolExecMs: 0, toolQueueMs: 0, activities: 0, workflowTasks: 0 };
  for (const e of events) {
    const t = tsMs(e.eventTime);
    if (e.workflowExecutionStartedEventAttributes) started = t;
    if (e.workflowExecutionCompletedEventAttributes) closed = t;
    if (e.workflowTaskCompletedEventAttributes) out.workflowTasks++;
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(idOf(e.eventId), { t, llm: (s.taskQueue?.name ?? '').startsWith('greenfood-llm-') });
    const st = e.activityTaskStartedEventAttributes;
    if (st) startedAt.set(idOf(st.scheduledEventId), t);
    const end = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
    if (end) {
      const key = idOf(end.scheduledEventId);
      const sch = scheduled.get(key);
      if (!sch) continue;
      const st0 = startedAt.get(key) ?? t;
      out.activities++;
      if (sch.llm) {
        out.llmMs += t - sch.t;
        out.llmQueueMs += st0 - sch.t;
      } else {
        out.toolExecMs += t - st0;
        out.toolQueueMs += st0 - sch.t;
      }
    }
  }
  if (!Number.isFinite(started) || !Number.isFinite(closed)) return undefined;
  return { workflowId, wallMs: closed - started, ...out };
}

/** Breakdowns of up to `limit` crews, fetched with bounded concurrency. */
export async function crewBreakdowns(client: Client, workflowIds: string[], limit: number): Promise<CrewBreakdown[]> {
  const ids = sample(workflowIds, limit);
  const out: CrewBreakdown[] = [];
  let i = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (i < ids.length) {
      const b = await crewBreakdown(client, ids[i++]!).catch(() => undefined);
      if (b) out.push(b);
    }
  }));
  return out;
}

/** Evenly spaced picks, so a sample covers the whole run rather than its start. */
function sample<T>(items: T[], limit: number): T[] {
  if (items.length <= limit) return items;
  const out: T[] = [];
  for (let i = 0; i < limit; i++) out.push(items[Math.floor((i * items.length) / limit)]!);
  return out;
}

export interface OrchestrationSummary {
  crews: number;
  /** 1 − (time in activities / crew wall time), summed over the sampled crews. */
  share: number | null;
  toolQueueShare: number | null;
  workflowShare: number | null;
  llmShare: number | null;
  toolExecShare: number | null;
  meanWallMs: number | null;
  meanActivities: number | null;
  meanWorkflowTasks: number | null;
}

export function summarizeOrchestration(b: CrewBreakdown[]): OrchestrationSummary {
  const wall = b.reduce((s, x) => s + x.wallMs, 0);
  const llm = b.reduce((s, x) => s + x.llmMs, 0);
  const toolExec = b.reduce((s, x) => s + x.toolExecMs, 0);
  const toolQueue = b.reduce((s, x) => s + x.toolQueueMs, 0);
  const orchestration = wall - llm - toolExec;
  const share = (v: number) => (wall > 0 ? v / wall : null);
  return {
    crews: b.length,
    share: share(orchestration),
    toolQueueShare: share(toolQueue),
    workflowShare: share(orchestration - toolQueue),
    llmShare: share(llm),
    toolExecShare: share(toolExec),
    meanWallMs: b.length ? wall / b.length : null,
    meanActivities: b.length ? b.reduce((s, x) => s + x.activities, 0) / b.length : null,
    meanWorkflowTasks: b.length ? b.reduce((s, x) => s + x.workflowTasks, 0) / b.length : null,
  };
}

// ---- Temporal SDK metrics (this process) ----------------------------------------------------------

export interface CacheMetrics {
  forcedEvictions: number;
  hits: number;
  misses: number;
  size: number;
}

/** Sums the SDK's sticky-cache metrics across label sets; undefined when the endpoint is not there. */
export async function cacheMetrics(url: string | undefined): Promise<CacheMetrics | undefined> {
  if (!url) return undefined;
  try {
    const text = await (await fetch(url, { signal: AbortSignal.timeout(3000) })).text();
    const sum = (name: string) => text.split('\n')
      .filter((l) => !l.startsWith('#') && new RegExp(`^(temporal_)?${name}(_total)?[{ ]`).test(l))
      .reduce((s, l) => s + (Number(l.trim().split(/\s+/).pop()) || 0), 0);
    return {
      forcedEvictions: sum('sticky_cache_total_forced_eviction'),
      hits: sum('sticky_cache_hit'),
      misses: sum('sticky_cache_miss'),
      size: sum('sticky_cache_size'),
    };
  } catch {
    return undefined;
  }
}
