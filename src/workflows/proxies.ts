import { ActivityFailure, proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { AgentActivities } from '../activities';
import type { LlmActivities } from '../activities/llm';
import type { RouterActivities } from '../activities/router';
import type { AgentName, LlmResponse, LlmRoute, LlmTaskIO, LlmTaskName } from '../llm/contract';
import { FailureType } from '../shared/errors';
import type { PriorityTier } from '../shared/priority';
import { AGENTS_TASK_QUEUE, llmTaskQueue } from '../shared/temporal';

export const DEFAULT_LLM_POOL = 'local';

/** Fairness of work that belongs to one consignor: its key, and its weight (by plan) from config. */
export interface Fairness {
  key: string;
  weight?: number;
}

function priorityOf(priorityKey: number, fairnessOrKey?: Fairness | string) {
  const fairness = typeof fairnessOrKey === 'string' ? { key: fairnessOrKey } : fairnessOrKey;
  return { priorityKey, ...(fairness ? { fairnessKey: fairness.key, ...(fairness.weight !== undefined ? { fairnessWeight: fairness.weight } : {}) } : {}) };
}

/** Agent tools (SQL, routing, rendering) of every crew, at the crew's priority (and fairness key, when it has one). */
export function agentActivities(priorityKey: number, fairness?: Fairness | string) {
  return proxyActivities<AgentActivities>({
    taskQueue: AGENTS_TASK_QUEUE,
    priority: priorityOf(priorityKey, fairness),
    // Agent tools are short SQL transactions; 15 s covers lock waits under contention, and a
    // worker that dies mid-step is detected that fast instead of stalling the crew.
    startToCloseTimeout: '15s',
    retry: {
      initialInterval: '500ms',
      backoffCoefficient: 2,
      maximumInterval: '10s',
      maximumAttempts: 20,
      nonRetryableErrorTypes: Object.values(FailureType),
    },
  });
}

export function llmActivities(priorityKey: number, pool: string = DEFAULT_LLM_POOL, fairness?: Fairness | string, scheduleToStartMs?: number) {
  return proxyActivities<LlmActivities>({
    taskQueue: llmTaskQueue(pool),
    priority: priorityOf(priorityKey, fairness),
    // Only local pools get one: a node that does not pick the task up in time is presumed dead and
    // the call moves to the next pool. The cloud queue is rate-limited and may legitimately queue.
    ...(scheduleToStartMs !== undefined ? { scheduleToStartTimeout: scheduleToStartMs } : {}),
    // A generation may legitimately take tens of seconds on a busy GPU; heartbeats (every second
    // while generating) reveal a dead node long before that.
    startToCloseTimeout: '90s',
    heartbeatTimeout: '10s',
    // Every LLM step has a deterministic fallback, so a crew never waits on LLMs for more than this.
    scheduleToCloseTimeout: '3m',
    retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 3 },
  });
}

export type AgentProxy = ReturnType<typeof agentActivities>;
export type LlmProxy = ReturnType<typeof llmActivities>;

export interface LlmCallerOptions {
  priorityKey: number;
  tier: PriorityTier;
  /** Pins every call to one pool (tests, a node holding a conversation's context); otherwise the router decides. */
  pinnedPool?: string;
  fairness?: Fairness;
  /** Charged against the consignor's cloud token budget. */
  consignorId?: string;
  /**
   * Keep calls on the pool that served the last one (a dialog whose context, KV cache included,
   * lives on that node); when it stops answering, the next pool takes over and becomes the sticky one.
   */
  sticky?: boolean;
  /** The sticky pool carried over continue-as-new. */
  stickyPool?: string;
}

/** How a crew reaches LLMs: a router (a local activity) and one proxy per pool it is sent to. */
export class LlmCaller {
  private readonly proxies = new Map<string, LlmProxy>();
  private readonly router = proxyLocalActivities<RouterActivities>({ startToCloseTimeout: '5s', retry: { maximumAttempts: 3 } });

  private lastPool: string | undefined;

  constructor(readonly options: LlmCallerOptions) {
    this.lastPool = options.stickyPool;
  }

  /** The pool holding this caller's context, to carry over continue-as-new. */
  get stickyPool(): string | undefined {
    return this.lastPool;
  }

  served(pool: string): void {
    if (this.options.sticky && pool !== 'pinned') this.lastPool = pool;
  }

  proxy(pool: string, scheduleToStartMs?: number): LlmProxy {
    const key = `${pool}/${scheduleToStartMs ?? ''}`;
    let proxy = this.proxies.get(key);
    if (!proxy) {
      proxy = llmActivities(this.options.priorityKey, pool, this.options.fairness, scheduleToStartMs);
      this.proxies.set(key, proxy);
    }
    return proxy;
  }

  async route(): Promise<LlmRoute['choices']> {
    if (this.options.pinnedPool) return [{ pool: this.options.pinnedPool, kind: 'local' }];
    let route = await this.router.routeLlmCall({ tier: this.options.tier, consignorId: this.options.consignorId });
    // A spent cloud token budget queues the call (a durable timer), it never fails it.
    for (let waits = 0; route.waitMs > 0 && waits < 60; waits++) {
      await sleep(route.waitMs, { summary: `LLM: waiting for cloud budget (${route.reason})` });
      route = await this.router.routeLlmCall({ tier: this.options.tier, consignorId: this.options.consignorId });
    }
    const sticky = this.lastPool;
    if (this.options.sticky && sticky) {
      const current = route.choices.find((c) => c.pool === sticky);
      // Only while its node is alive (fresh health): a dead node's dialog moves on.
      if (current) return [current, ...route.choices.filter((c) => c.pool !== sticky)];
    }
    return route.choices;
  }
}

export interface LlmStep<T extends LlmTaskName> {
  task: T;
  agent: AgentName;
  crew: string;
  step: string;
  input: LlmTaskIO[T]['input'];
  /** Shown in the Web UI next to the activity. */
  summary: string;
  /** What the step uses when the LLM is unavailable or its answers are rejected: decided by code alone. */
  fallback: () => LlmTaskIO[T]['output'];
}

export interface LlmStepOutcome<T extends LlmTaskName> {
  output: LlmTaskIO[T]['output'];
  usedFallback: boolean;
  response?: LlmResponse<T>;
}

/**
 * Runs one LLM call of an agent: on the pools the router chose, in order — a pool that does not
 * start the task in time or fails for good hands it to the next — and, once every pool has failed
 * (bad answers included), the step's deterministic fallback. Every hand-over is journaled, so a
 * crew never fails for want of an LLM and every detour is visible.
 */
export async function generateOrFallback<T extends LlmTaskName>(llmOrProxy: LlmCaller | LlmProxy, agents: AgentProxy, step: LlmStep<T>): Promise<LlmStepOutcome<T>> {
  // A bare proxy is a call pinned to that proxy's pool (no routing).
  const pinned = llmOrProxy instanceof LlmCaller ? undefined : llmOrProxy;
  const llm = llmOrProxy instanceof LlmCaller ? llmOrProxy : undefined;
  const choices = llm ? await llm.route() : [{ pool: 'pinned', kind: 'local' as const, scheduleToStartMs: undefined }];
  const request = { task: step.task, agent: step.agent, crew: step.crew, step: step.step, input: step.input, ...(llm?.options.consignorId ? { consignorId: llm.options.consignorId } : {}) };
  let lastFailure = 'no healthy LLM pool';
  for (const [index, choice] of choices.entries()) {
    try {
      const proxy = pinned ?? llm!.proxy(choice.pool, choice.scheduleToStartMs);
      const response = (await proxy.llmGenerate.executeWithOptions(
        { summary: pinned ? step.summary : `${step.summary} · ${choice.pool}` }, [request])) as LlmResponse<T>;
      llm?.served(choice.pool);
      return { output: response.output, usedFallback: false, response };
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      lastFailure = `${choice.pool}: ${failureReason(err)}`;
      const next = choices[index + 1];
      if (next) {
        await agents.journalLlmFallback({ crew: step.crew, step: step.step, agent: step.agent, kind: 'pool', reason: `pool ${choice.pool} → ${next.pool}: ${failureReason(err)}` });
      }
    }
  }
  await agents.journalLlmFallback({ crew: step.crew, step: step.step, agent: step.agent, kind: 'deterministic', reason: lastFailure });
  return { output: step.fallback(), usedFallback: true };
}

export function failureReason(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
