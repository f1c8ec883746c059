import { ApplicationFailure, Context } from '@temporalio/activity';
import { z } from 'zod';
import type { Db } from '../db/pool';
import { AGENT_PROFILES } from '../llm/agents';
import type { LlmRequest, LlmResponse, LlmTaskName } from '../llm/contract';
import type { LlmProvider } from '../llm/providers';
import { taskDefinition } from '../llm/tasks';
import { FailureType } from '../shared/errors';
import { recordAgentRun, type AgentRunRecord } from './journal';
import { recordLlmCacheLookup, recordLlmCall } from '../observability/metrics';
import type { RedisClient } from '../db/redis';
import { LlmCache } from '../llm/cache';
import type { PoolLoad } from '../llm/pool-health';
import { BUDGET_WINDOW_MS, tokenBudgetKey } from '../llm/routing';

export interface LlmActivityDeps {
  db: Db;
  provider: LlmProvider;
  pool: string;
  /** Long generations must show they are alive, so a dead node is detected by heartbeat timeout. */
  heartbeatIntervalMs?: number;
  /** In-flight and latency of this pool, published to Redis for the router. */
  load?: PoolLoad;
  /** Response cache; absent means every call reaches the model. */
  cache?: LlmCache;
  /** Only answers sampled at or below this temperature are cached (others are meant to vary). */
  cacheMaxTemperature?: number;
  /** For per-consignor token budgets of the cloud pool. */
  redis?: RedisClient;
  redisPrefix?: string;
  budgetWindowMs?: number;
}

type Validation<T> = { ok: true; output: T } | { ok: false; reason: string };

export function createLlmActivities(deps: LlmActivityDeps) {
  const heartbeatEvery = deps.heartbeatIntervalMs ?? 1000;

  async function journal(request: LlmRequest, partial: Pick<AgentRunRecord, 'outcome' | 'latencyMs'> & Partial<AgentRunRecord>) {
    const { info } = Context.current();
    recordLlmCall({
      provider: deps.provider.name, pool: deps.pool, model: partial.model ?? deps.provider.defaultModel, agent: request.agent,
      outcome: partial.outcome, latencyMs: partial.latencyMs, tokensIn: partial.tokensIn, tokensOut: partial.tokensOut,
    });
    try {
      await recordAgentRun(deps.db, {
        workflowId: info.workflowExecution?.workflowId ?? 'standalone',
        runId: info.workflowExecution?.runId ?? '',
        crew: request.crew,
        step: request.step,
        agent: request.agent,
        kind: 'llm',
        provider: deps.provider.name,
        pool: deps.pool,
        model: deps.provider.defaultModel,
        attempt: info.attempt,
        ...partial,
      });
    } catch (err) {
      // The journal is an audit aid; losing one attempt's row must not fail or repeat a generation.
      console.warn(`agent_runs journal write failed: ${(err as Error).message}`);
    }
  }

  function validate<T extends LlmTaskName>(request: LlmRequest<T>, schema: z.ZodType<LlmResponse<T>['output']>, content: string): Validation<LlmResponse<T>['output']> {
    let json: unknown;
    try {
      json = JSON.parse(content);
    } catch {
      return { ok: false, reason: 'answer is not valid JSON' };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      return { ok: false, reason: `answer does not match schema: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}` };
    }
    const rejection = taskDefinition(request.task).check?.(parsed.data, request.input);
    return rejection === undefined ? { ok: true, output: parsed.data } : { ok: false, reason: rejection };
  }

  async function spendTokens(consignorId: string | undefined, tokens: number) {
    if (!consignorId || !deps.redis || tokens <= 0) return;
    const window = deps.budgetWindowMs ?? BUDGET_WINDOW_MS;
    const key = tokenBudgetKey(deps.redisPrefix ?? 'greenfood', consignorId, Date.now(), window);
    await deps.redis.multi().incrby(key, tokens).pexpire(key, window * 2).exec().catch(() => undefined);
  }

  async function llmGenerate<T extends LlmTaskName>(request: LlmRequest<T>): Promise<LlmResponse<T>> {
    const ctx = Context.current();
    const definition = taskDefinition(request.task);
    const profile = AGENT_PROFILES[request.agent];
    const schema = definition.schema(request.input);
    const jsonSchema = z.toJSONSchema(schema) as Record<string, unknown>;
    const user = definition.prompt(request.input);
    const started = Date.now();
    let usage = { model: deps.provider.defaultModel, tokensIn: 0, tokensOut: 0, latencyMs: 0 };

    const generate = async (): Promise<string> => {
      const done = deps.load?.begin();
      const heartbeat = setInterval(() => ctx.heartbeat({ elapsedMs: Date.now() - started }), heartbeatEvery);
      try {
        const result = await deps.provider.chat({
          system: profile.systemPrompt, user, temperature: profile.temperature, jsonSchema, schemaName: request.task, signal: ctx.cancellationSignal,
        });
        usage = { model: result.model, tokensIn: result.tokensIn, tokensOut: result.tokensOut, latencyMs: Date.now() - started };
        await spendTokens(request.consignorId, result.tokensIn + result.tokensOut);
        return result.content;
      } catch (err) {
        await journal(request, { outcome: 'error', latencyMs: Date.now() - started, detail: (err as Error).message });
        throw err; // transient: Temporal retries, then the workflow routes to the next pool or falls back
      } finally {
        clearInterval(heartbeat);
        done?.();
      }
    };

    // Personal data never enters a cacheable task's prompt (see each task's `cacheable`), and
    // high-temperature answers are meant to vary, so only precise, impersonal calls are cached.
    const cacheable = deps.cache !== undefined && definition.cacheable === true && profile.temperature <= (deps.cacheMaxTemperature ?? 0.5);
    let content: string;
    let cacheOutcome: string | undefined;
    if (cacheable && deps.cache) {
      const key = LlmCache.key({ model: deps.provider.defaultModel, agent: request.agent, task: request.task, system: profile.systemPrompt, user, temperature: profile.temperature, schema: jsonSchema });
      const cached = await deps.cache.getOrCompute(key, generate, (value) => validate(request, schema, value).ok);
      content = cached.value;
      cacheOutcome = cached.outcome;
      recordLlmCacheLookup(cached.outcome !== 'miss', request.agent);
      if (cached.outcome !== 'miss') usage = { ...usage, latencyMs: Date.now() - started };
    } else {
      content = await generate();
    }

    const verdict = validate(request, schema, content);
    const detail = cacheOutcome && cacheOutcome !== 'miss' ? `cache ${cacheOutcome}` : undefined;
    if (!verdict.ok) {
      await journal(request, { outcome: 'invalid_output', ...usage, detail: verdict.reason });
      // Retryable on purpose: a sampled model often answers well on the next try.
      throw ApplicationFailure.retryable(`${request.agent}/${request.task}: ${verdict.reason}`, FailureType.LlmOutputInvalid);
    }
    await journal(request, { outcome: 'ok', ...usage, detail });
    return { output: verdict.output, provider: deps.provider.name, pool: deps.pool, ...usage, cached: detail !== undefined };
  }

  return { llmGenerate };
}

export type LlmActivities = ReturnType<typeof createLlmActivities>;
