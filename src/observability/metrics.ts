import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every GREENFOOD metric of a worker process, in one prom-client registry served on `/metrics`
 * (see metrics-server.ts). The Temporal SDK's own runtime metrics are served by the SDK itself on
 * SDK_METRICS_PORT (Runtime.install with a Prometheus bind address).
 *
 * Labels are bounded on purpose: crews, agents, activity types, task queues, pools, models, tiers
 * and failure types come from code; order, buyer and consignor ids never become labels (a label
 * value per order would create a time series per order and sink Prometheus at 1000 agents).
 */
export const registry = new Registry();

const LATENCY_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const LLM_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 90];
const CREW_BUCKETS_S = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 86_400];

// ---- agents (every activity of every crew, measured by the activity interceptor) ------------------

export const agentRequests = new Counter({
  name: 'greenfood_agent_requests_total',
  help: 'Agent activity executions (each attempt), by crew, agent and activity type.',
  labelNames: ['crew', 'agent', 'activity'] as const,
  registers: [registry],
});

export const agentFailures = new Counter({
  name: 'greenfood_agent_failures_total',
  help: 'Agent activity attempts that threw, by failure type (a FailureType for permanent faults, "transient" otherwise).',
  labelNames: ['crew', 'agent', 'activity', 'failure_type'] as const,
  registers: [registry],
});

export const agentLatency = new Histogram({
  name: 'greenfood_agent_latency_seconds',
  help: 'Wall time of one agent activity attempt, by crew and agent.',
  labelNames: ['crew', 'agent'] as const,
  buckets: LATENCY_BUCKETS_S,
  registers: [registry],
});

export const agentsActive = new Gauge({
  name: 'greenfood_agents_active',
  help: 'Agent activities running right now in this process, by crew and agent.',
  labelNames: ['crew', 'agent'] as const,
  registers: [registry],
});

export const scheduleToStart = new Histogram({
  name: 'greenfood_activity_schedule_to_start_seconds',
  help: 'Time an activity attempt waited in its task queue before a worker picked it up.',
  labelNames: ['task_queue'] as const,
  buckets: LATENCY_BUCKETS_S,
  registers: [registry],
});

// ---- LLM calls ---------------------------------------------------------------------------------

export const llmRequests = new Counter({
  name: 'greenfood_llm_requests_total',
  help: 'LLM calls by provider, pool, model, agent and outcome (ok, invalid_output, error).',
  labelNames: ['provider', 'pool', 'model', 'agent', 'outcome'] as const,
  registers: [registry],
});

export const llmTokens = new Counter({
  name: 'greenfood_llm_tokens_total',
  help: 'Tokens of LLM calls, direction "in" (prompt) or "out" (completion).',
  labelNames: ['provider', 'pool', 'model', 'direction'] as const,
  registers: [registry],
});

export const llmLatency = new Histogram({
  name: 'greenfood_llm_latency_seconds',
  help: 'Latency of one LLM call (the model server round trip), by provider, pool and model.',
  labelNames: ['provider', 'pool', 'model'] as const,
  buckets: LLM_BUCKETS_S,
  registers: [registry],
});

export const llmInFlight = new Gauge({
  name: 'greenfood_llm_in_flight',
  help: 'LLM activities being served right now by this process, by pool.',
  labelNames: ['pool'] as const,
  registers: [registry],
});

export const llmPoolSlots = new Gauge({
  name: 'greenfood_llm_pool_slots',
  help: 'LLM activity slots of this process per pool (the node parallelism); utilisation = in_flight / slots.',
  labelNames: ['pool'] as const,
  registers: [registry],
});

export const llmFallbacks = new Counter({
  name: 'greenfood_llm_fallbacks_total',
  help: 'LLM fallbacks: "deterministic" = a step used its code fallback; "provider" = the router moved a call to another pool/provider.',
  labelNames: ['crew', 'agent', 'kind'] as const,
  registers: [registry],
});

export const llmCacheLookups = new Counter({
  name: 'greenfood_llm_cache_lookups_total',
  help: 'LLM response cache lookups by agent and result (hit, miss).',
  labelNames: ['agent', 'result'] as const,
  registers: [registry],
});

// ---- crews (reported by the workflow interceptor through a sink, never during replay) -------------

export const crewsStarted = new Counter({
  name: 'greenfood_crews_started_total',
  help: 'Crew workflow runs started, by crew and priority tier.',
  labelNames: ['crew', 'tier'] as const,
  registers: [registry],
});

export const crewsCompleted = new Counter({
  name: 'greenfood_crews_completed_total',
  help: 'Crew workflow runs that ended, by crew, priority tier and outcome (completed, failed, cancelled, continued).',
  labelNames: ['crew', 'tier', 'outcome'] as const,
  registers: [registry],
});

export const crewDuration = new Histogram({
  name: 'greenfood_crew_duration_seconds',
  help: 'Wall time of a crew workflow run from its start to its end, by crew, tier and outcome.',
  labelNames: ['crew', 'tier', 'outcome'] as const,
  buckets: CREW_BUCKETS_S,
  registers: [registry],
});

// ---- business ------------------------------------------------------------------------------------

export const ordersFulfilled = new Counter({
  name: 'greenfood_orders_fulfilled_total',
  help: 'Orders the fulfill_order crew confirmed, by priority tier.',
  labelNames: ['tier'] as const,
  registers: [registry],
});

export const stockReservationsFailed = new Counter({
  name: 'greenfood_stock_reservations_failed_total',
  help: 'Orders whose stock could not be reserved, by reason.',
  labelNames: ['reason'] as const,
  registers: [registry],
});

export const settlementsProposed = new Counter({
  name: 'greenfood_settlements_proposed_total',
  help: 'Consignor settlement acts proposed (awaiting approval).',
  registers: [registry],
});

export const settlementsApproved = new Counter({
  name: 'greenfood_settlements_approved_total',
  help: 'Consignor settlement acts approved (payout final).',
  registers: [registry],
});

export const settlementProposedKop = new Counter({
  name: 'greenfood_settlement_proposed_kop_total',
  help: 'Sum of proposed net payouts, in kopiykas.',
  registers: [registry],
});

export const payoutsKop = new Counter({
  name: 'greenfood_payouts_kop_total',
  help: 'Sum of approved net payouts to consignors, in kopiykas.',
  registers: [registry],
});

// ---- task queues (queue-depth.ts polls DescribeTaskQueue) -------------------------------------------

export const taskQueueBacklog = new Gauge({
  name: 'greenfood_task_queue_backlog',
  help: 'Approximate number of tasks waiting in a task queue (DescribeTaskQueue), by queue and task type.',
  labelNames: ['task_queue', 'task_type'] as const,
  registers: [registry],
});

export const taskQueueBacklogAge = new Gauge({
  name: 'greenfood_task_queue_backlog_age_seconds',
  help: 'Age of the oldest waiting task in a task queue, by queue and task type.',
  labelNames: ['task_queue', 'task_type'] as const,
  registers: [registry],
});

export const taskQueueAddRate = new Gauge({
  name: 'greenfood_task_queue_add_rate',
  help: 'Tasks added per second to a task queue (server estimate), by queue and task type.',
  labelNames: ['task_queue', 'task_type'] as const,
  registers: [registry],
});

export const taskQueueDispatchRate = new Gauge({
  name: 'greenfood_task_queue_dispatch_rate',
  help: 'Tasks dispatched per second from a task queue to workers (server estimate), by queue and task type.',
  labelNames: ['task_queue', 'task_type'] as const,
  registers: [registry],
});

let processMetricsOn = false;
/**
 * Names this process in every series (worker kind, e.g. `agents` or `llm-local`) and adds Node's
 * own process metrics (CPU, heap, event-loop lag). Call once per process, at start-up.
 */
export function initProcessMetrics(worker: string): void {
  registry.setDefaultLabels({ worker });
  if (processMetricsOn) return;
  processMetricsOn = true;
  collectDefaultMetrics({ register: registry, prefix: 'greenfood_process_' });
}

// ---- recording API for other modules -----------------------------------------------------------------

export interface LlmCallMetrics {
  provider: string;
  pool: string;
  model: string;
  agent: string;
  /** ok, invalid_output (schema or check rejected the answer) or error (no answer). */
  outcome: string;
  latencyMs: number;
  tokensIn?: number;
  tokensOut?: number;
}

/** One LLM call as the gateway saw it (called next to its agent_runs journal row). */
export function recordLlmCall(call: LlmCallMetrics): void {
  const model = call.model || 'unknown';
  llmRequests.inc({ provider: call.provider, pool: call.pool, model, agent: call.agent, outcome: call.outcome });
  llmLatency.observe({ provider: call.provider, pool: call.pool, model }, call.latencyMs / 1000);
  if (call.tokensIn) llmTokens.inc({ provider: call.provider, pool: call.pool, model, direction: 'in' }, call.tokensIn);
  if (call.tokensOut) llmTokens.inc({ provider: call.provider, pool: call.pool, model, direction: 'out' }, call.tokensOut);
}

/** An LLM response cache lookup: `hit` when the cached answer was used. */
export function recordLlmCacheLookup(hit: boolean, agent: string): void {
  llmCacheLookups.inc({ agent, result: hit ? 'hit' : 'miss' });
}

/**
 * An LLM fallback. `provider`: the router sent the call to another pool or provider (e.g. local
 * GPU pool unhealthy, so cloud); `deterministic`: the step gave up on LLMs and used its code fallback.
 * Called by the `journalLlmFallback` activity, which every crew runs for either kind.
 */
export function recordLlmFallback(kind: 'provider' | 'deterministic', agent: string, crew = 'unknown'): void {
  llmFallbacks.inc({ crew, agent, kind });
}

/** A consignor's settlement act was proposed with this net payout (kopiykas). */
export function recordSettlementProposed(amountKop: number): void {
  settlementsProposed.inc();
  if (amountKop > 0) settlementProposedKop.inc(amountKop);
}

/** A consignor's settlement was approved; its net payout (kopiykas) becomes final. */
export function recordSettlementApproved(amountKop: number): void {
  settlementsApproved.inc();
  if (amountKop > 0) payoutsKop.inc(amountKop);
}

/** Stock for an order could not be reserved (counted automatically for fulfill_order failing with OutOfStock). */
export function recordStockReservationFailed(reason: string): void {
  stockReservationsFailed.inc({ reason });
}

/** A fulfill_order crew confirmed its order (counted automatically by the crew interceptor). */
export function recordOrderFulfilled(tier: string): void {
  ordersFulfilled.inc({ tier });
}

export interface CrewOutcome {
  crew: string;
  tier: string;
  outcome: 'completed' | 'failed' | 'cancelled' | 'continued';
  durationMs: number;
  failureType?: string;
}

export const ORDER_CREW = 'fulfill_order';

export function recordCrewStarted(crew: string, tier: string): void {
  crewsStarted.inc({ crew, tier });
}

export function recordCrewFinished(o: CrewOutcome): void {
  crewsCompleted.inc({ crew: o.crew, tier: o.tier, outcome: o.outcome });
  crewDuration.observe({ crew: o.crew, tier: o.tier, outcome: o.outcome }, Math.max(0, o.durationMs) / 1000);
  if (o.crew !== ORDER_CREW) return;
  if (o.outcome === 'completed') recordOrderFulfilled(o.tier);
  if (o.outcome === 'failed' && o.failureType === 'OutOfStock') recordStockReservationFailed('out_of_stock');
}

/** The registry as Prometheus text, e.g. for tests and the /metrics handler. */
export function metricsText(): Promise<string> {
  return registry.metrics();
}

export const taskQueueBacklogByPriority = new Gauge({
  name: 'greenfood_task_queue_backlog_by_priority',
  help: 'Approximate backlog of a task queue per priority key (1 = VIP/urgent … 5 = background).',
  labelNames: ['task_queue', 'task_type', 'priority'] as const,
  registers: [registry],
});

export const taskQueuePollers = new Gauge({
  name: 'greenfood_task_queue_pollers',
  help: 'Workers polling a task queue recently (0 means nobody serves it: a dead pool).',
  labelNames: ['task_queue', 'task_type'] as const,
  registers: [registry],
});
