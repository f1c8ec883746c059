import type { LlmRoute, LlmRouteRequest } from './contract';
import type { PoolHealth } from './pool-health';

export const CLOUD_POOL = 'cloud';

export interface RoutingPolicy {
  /** A local pool that has not started a task within this time is treated as dead for that call. */
  localScheduleToStartMs: number;
  /** Tokens per budget window a consignor may spend on the cloud pool; undefined = unlimited. */
  cloudTokensPerMinutePerConsignor?: number;
  /** The budget window; a minute in production, shorter in tests. */
  budgetWindowMs?: number;
}

export const BUDGET_WINDOW_MS = 60_000;

export function tokenBudgetKey(prefix: string, consignorId: string, nowMs: number, windowMs = BUDGET_WINDOW_MS): string {
  return `${prefix}:llm:tpm:${windowMs}:${consignorId}:${Math.floor(nowMs / windowMs)}`;
}

/** Outstanding work per GPU slot: what a new task would wait behind. */
export function loadPerSlot(pool: PoolHealth): number {
  return (pool.inFlight + pool.queueDepth) / Math.max(1, pool.slots);
}

/**
 * The seed's rule, made a pure function so it is tested on its own: urgent (VIP) work goes to the
 * cloud first; other work to the healthy local pool with the least outstanding work per slot,
 * then the other local pools, then the cloud. Pools with no fresh health entry are dead to routing.
 */
export function chooseRoute(request: LlmRouteRequest, healthy: readonly PoolHealth[], policy: RoutingPolicy, cloudTokensSpentThisMinute: number, nowMs: number): LlmRoute {
  const locals = healthy
    .filter((p) => p.kind === 'local')
    .sort((a, b) => loadPerSlot(a) - loadPerSlot(b) || a.recentLatencyMs - b.recentLatencyMs || a.pool.localeCompare(b.pool))
    .map((p) => ({ pool: p.pool, kind: 'local' as const, scheduleToStartMs: policy.localScheduleToStartMs }));
  const cloudUp = healthy.some((p) => p.pool === CLOUD_POOL);
  const cloud = cloudUp ? [{ pool: CLOUD_POOL, kind: 'cloud' as const }] : [];
  const urgent = request.tier === 'vip';
  const choices = urgent ? [...cloud, ...locals] : [...locals, ...cloud];
  const reason = choices.length === 0 ? 'no healthy pool' : urgent ? 'urgent → cloud first' : locals.length ? 'least loaded local pool first' : 'no local pool → cloud';

  const budget = policy.cloudTokensPerMinutePerConsignor;
  const cloudFirst = choices[0]?.kind === 'cloud';
  if (cloudFirst && budget !== undefined && request.consignorId && cloudTokensSpentThisMinute >= budget) {
    // Queue, don't fail: wait for the next minute's budget.
    const window = policy.budgetWindowMs ?? BUDGET_WINDOW_MS;
    return { choices, waitMs: window - (nowMs % window) + 50, reason: `consignor ${request.consignorId} spent its cloud budget (${cloudTokensSpentThisMinute}/${budget} tokens in this window)` };
  }
  return { choices, waitMs: 0, reason };
}
