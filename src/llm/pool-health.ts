import type { NativeConnection } from '@temporalio/worker';
import type { RedisClient } from '../db/redis';
import { llmTaskQueue } from '../shared/temporal';

/** What an LLM worker knows about its own load; shared by its activities and its health reporter. */
export class PoolLoad {
  inFlight = 0;
  completed = 0;
  failed = 0;
  /** Exponentially weighted recent latency, so one slow generation does not swing routing. */
  recentLatencyMs = 0;

  begin(): () => void {
    this.inFlight++;
    const started = Date.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight--;
      this.completed++;
      const ms = Date.now() - started;
      this.recentLatencyMs = this.recentLatencyMs === 0 ? ms : Math.round(this.recentLatencyMs * 0.8 + ms * 0.2);
    };
  }
}

export interface PoolHealth {
  pool: string;
  kind: 'local' | 'cloud';
  slots: number;
  inFlight: number;
  /** Tasks waiting on the pool's queue (the server's approximate backlog). */
  queueDepth: number;
  recentLatencyMs: number;
  updatedAt: number;
}

/** Health entries expire on their own, so a dead node drops out of routing within this time. */
export const POOL_HEALTH_TTL_MS = 10_000;
const REPORT_EVERY_MS = 2_000;

export function poolHealthKey(prefix: string, pool: string): string {
  return `${prefix}:llm:pool:${pool}`;
}
function poolIndexKey(prefix: string): string {
  return `${prefix}:llm:pools`;
}

async function queueBacklog(connection: NativeConnection, namespace: string, pool: string): Promise<number> {
  const response = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: llmTaskQueue(pool) },
    taskQueueType: 2, // TASK_QUEUE_TYPE_ACTIVITY
    reportStats: true,
  });
  return Number(response.stats?.approximateBacklogCount ?? 0);
}

export interface PoolHealthReporterOptions {
  redis: RedisClient;
  prefix: string;
  pool: string;
  kind: 'local' | 'cloud';
  slots: number;
  load: PoolLoad;
  connection?: NativeConnection;
  namespace?: string;
  /** False once the worker stopped polling: the entry is then withdrawn instead of refreshed. */
  isServing?: () => boolean;
}

/** Publishes the pool's health and load every 2 s with a TTL; returns a stop function that withdraws it. */
export function startPoolHealthReporter(options: PoolHealthReporterOptions): () => Promise<void> {
  const key = poolHealthKey(options.prefix, options.pool);
  let queueDepth = 0;
  const report = async () => {
    if (options.isServing && !options.isServing()) return;
    if (options.connection && options.namespace) {
      queueDepth = await queueBacklog(options.connection, options.namespace, options.pool).catch(() => queueDepth);
    }
    const health: PoolHealth = {
      pool: options.pool, kind: options.kind, slots: options.slots, inFlight: options.load.inFlight,
      queueDepth, recentLatencyMs: options.load.recentLatencyMs, updatedAt: Date.now(),
    };
    await options.redis
      .multi()
      .set(key, JSON.stringify(health), 'PX', POOL_HEALTH_TTL_MS)
      .zadd(poolIndexKey(options.prefix), Date.now(), options.pool)
      .exec()
      // Redis down: routing falls back to its defaults; the pool itself keeps serving.
      .catch(() => undefined);
  };
  void report();
  const timer = setInterval(() => void report(), REPORT_EVERY_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await options.redis.del(key).catch(() => undefined);
  };
}

/** Every pool whose health entry is fresh. */
export async function readPoolHealth(redis: RedisClient, prefix: string): Promise<PoolHealth[]> {
  const index = poolIndexKey(prefix);
  // Pools silent for a minute are dropped from the index to keep it small.
  await redis.zremrangebyscore(index, 0, Date.now() - 60_000);
  const pools = await redis.zrange(index, 0, -1);
  if (pools.length === 0) return [];
  const values = await redis.mget(pools.map((p) => poolHealthKey(prefix, p)));
  const now = Date.now();
  return values.flatMap((v) => {
    if (!v) return [];
    const health = JSON.parse(v) as PoolHealth;
    return now - health.updatedAt <= POOL_HEALTH_TTL_MS ? [health] : [];
  });
}
