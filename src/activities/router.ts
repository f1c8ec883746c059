import type { RedisClient } from '../db/redis';
import type { LlmRoute, LlmRouteRequest } from '../llm/contract';
import { readPoolHealth } from '../llm/pool-health';
import { chooseRoute, CLOUD_POOL, tokenBudgetKey, type RoutingPolicy } from '../llm/routing';

export interface RouterDeps {
  redis: RedisClient;
  prefix: string;
  policy: RoutingPolicy;
  /** Used when Redis cannot be read: the configured local pool, then the cloud. */
  defaultPool: string;
}

/**
 * The LLM router, run as a local activity by the crews worker: it only reads Redis, and its answer
 * is recorded in the workflow history, which is what makes the routing decision durable.
 */
export function createRouterActivities(deps: RouterDeps) {
  return {
    async routeLlmCall(request: LlmRouteRequest): Promise<LlmRoute> {
      try {
        const healthy = await readPoolHealth(deps.redis, deps.prefix);
        const spent = request.consignorId
          ? Number((await deps.redis.get(tokenBudgetKey(deps.prefix, request.consignorId, Date.now(), deps.policy.budgetWindowMs))) ?? 0)
          : 0;
        return chooseRoute(request, healthy, deps.policy, spent, Date.now());
      } catch (err) {
        return {
          choices: [
            { pool: deps.defaultPool, kind: 'local', scheduleToStartMs: deps.policy.localScheduleToStartMs },
            { pool: CLOUD_POOL, kind: 'cloud' },
          ],
          waitMs: 0,
          reason: `pool health unavailable (${(err as Error).message}); default order`,
        };
      }
    },
  };
}

export type RouterActivities = ReturnType<typeof createRouterActivities>;
