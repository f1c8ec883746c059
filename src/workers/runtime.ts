import { NativeConnection } from '@temporalio/worker';
import { loadConfig, redactedConfig, type Config } from '../config';
import type { AgentActivityDeps } from '../activities';
import { createDb, type Db } from '../db/pool';
import { createRedis, type RedisClient } from '../db/redis';
import type { RouterDeps } from '../activities/router';
import type { LlmWorkerOptions } from './factories';
import { OllamaProvider, OpenAiCompatibleProvider, type LlmProvider } from '../llm/providers';

export async function connectTemporal(config: Config): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  } catch (err) {
    throw new Error(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS}: ${(err as Error).message}`);
  }
}

export function startupConfig(processName: string): Config {
  const config = loadConfig();
  console.log(JSON.stringify({ msg: `${processName} starting`, config: redactedConfig(config) }));
  return config;
}

export function openDb(config: Config, applicationName: string): Db {
  return createDb(config.DATABASE_URL, config.DATABASE_POOL_SIZE, applicationName);
}

/** Everything agent tools need; `close` releases it on shutdown. */
export function openAgentDeps(config: Config, applicationName: string): AgentActivityDeps & { close(): Promise<void> } {
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_AGENTS, applicationName);
  const readDb = config.DATABASE_READ_URL ? createDb(config.DATABASE_READ_URL, config.DATABASE_POOL_SIZE, `${applicationName}-read`) : db;
  const redis = createRedis(config.REDIS_URL, applicationName);
  return {
    db, readDb, redis, fairnessWeights: config.FAIRNESS_WEIGHTS,
    async close() {
      redis.disconnect();
      await db.end();
      if (readDb !== db) await readDb.end();
    },
  };
}

/** What the crews worker's router (a local activity) needs. */
export function routerDeps(config: Config, redis: RedisClient): RouterDeps {
  return {
    redis,
    prefix: config.REDIS_PREFIX,
    defaultPool: config.LLM_POOL,
    policy: { localScheduleToStartMs: config.LLM_LOCAL_SCHEDULE_TO_START_MS, cloudTokensPerMinutePerConsignor: config.CLOUD_TOKENS_PER_MINUTE_PER_CONSIGNOR },
  };
}

/** What an LLM worker needs beyond its provider: health publishing and the response cache. */
export function llmWorkerExtras(config: Config, redis: RedisClient, pool: string): Pick<LlmWorkerOptions, 'health' | 'cache' | 'maxTaskQueueActivitiesPerSecond'> {
  return {
    health: { redis, prefix: config.REDIS_PREFIX, kind: pool === 'cloud' ? 'cloud' : 'local' },
    cache: config.LLM_CACHE_TTL_S > 0 ? { redis, prefix: config.REDIS_PREFIX, ttlSeconds: config.LLM_CACHE_TTL_S, maxTemperature: config.LLM_CACHE_MAX_TEMPERATURE } : undefined,
    maxTaskQueueActivitiesPerSecond: pool === 'cloud' ? config.CLOUD_LLM_MAX_RPS : undefined,
  };
}

export function providerFor(pool: string, config: Config, ollamaUrl: string): LlmProvider {
  if (pool === 'cloud') {
    if (!config.CLOUD_LLM_BASE_URL) throw new Error('the cloud pool needs CLOUD_LLM_BASE_URL (an OpenAI-compatible endpoint)');
    return new OpenAiCompatibleProvider(config.CLOUD_LLM_BASE_URL, config.CLOUD_LLM_API_KEY ?? 'unset', config.CLOUD_LLM_MODEL, config.LLM_TIMEOUT_MS);
  }
  return new OllamaProvider(ollamaUrl, config.LLM_MODEL, config.LLM_TIMEOUT_MS);
}

export function fatal(processName: string) {
  return (err: unknown) => {
    console.error(`${processName}: ${(err as Error).message ?? String(err)}`);
    process.exit(1);
  };
}
