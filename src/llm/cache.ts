import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../db/redis';

export interface LlmCacheOptions {
  redis: RedisClient;
  prefix: string;
  ttlSeconds: number;
  /** How long a caller waits for another process computing the same prompt before computing it itself. */
  lockWaitMs?: number;
}

export type CacheOutcome = 'hit' | 'miss' | 'shared' | 'bypass';

/**
 * LLM answers cached in Redis, with single-flight: identical prompts in flight are computed once —
 * in this process through a shared promise, across processes through a short Redis lock whose
 * holder publishes the answer. Redis trouble only costs hits: every Redis error means "compute it".
 */
export class LlmCache {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly options: LlmCacheOptions) {}

  static key(parts: Record<string, unknown>): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  }

  private redisKey(key: string) {
    return `${this.options.prefix}:llm:cache:${key}`;
  }

  /** Returns the cached value or computes it once; `compute` must return what is worth caching. */
  async getOrCompute(key: string, compute: () => Promise<string>, isCacheable: (value: string) => boolean): Promise<{ value: string; outcome: CacheOutcome }> {
    const cached = await this.options.redis.get(this.redisKey(key)).catch(() => null);
    if (cached !== null) return { value: cached, outcome: 'hit' };

    const local = this.inFlight.get(key);
    if (local) return { value: await local, outcome: 'shared' };

    const work = this.computeOnce(key, compute, isCacheable);
    const shared = work.then((r) => r.value);
    // When the generation fails and nobody else waits on it, the shared copy must not surface as an
    // unhandled rejection (which ends the worker process); the caller gets the error from `work`.
    shared.catch(() => undefined);
    this.inFlight.set(key, shared);
    try {
      return await work;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async computeOnce(key: string, compute: () => Promise<string>, isCacheable: (value: string) => boolean): Promise<{ value: string; outcome: CacheOutcome }> {
    const lockKey = `${this.redisKey(key)}:lock`;
    const waitMs = this.options.lockWaitMs ?? 30_000;
    const locked = await this.options.redis.set(lockKey, '1', 'PX', waitMs, 'NX').catch(() => 'OK');
    if (locked !== 'OK') {
      // Another worker is generating this very prompt: wait for its answer rather than burn a GPU slot.
      const deadline = Date.now() + waitMs;
      while (Date.now() < deadline) {
        await sleep(50);
        const value = await this.options.redis.get(this.redisKey(key)).catch(() => null);
        if (value !== null) return { value, outcome: 'shared' };
        const stillLocked = await this.options.redis.exists(lockKey).catch(() => 0);
        if (!stillLocked) break;
      }
    }
    try {
      const value = await compute();
      if (isCacheable(value)) {
        await this.options.redis.set(this.redisKey(key), value, 'EX', this.options.ttlSeconds).catch(() => undefined);
      }
      return { value, outcome: 'miss' };
    } finally {
      await this.options.redis.del(lockKey).catch(() => undefined);
    }
  }
}
