import Redis from 'ioredis';

export type RedisClient = Redis;

/**
 * Redis holds only fast, rebuildable state (sessions, caches, pool health). Commands fail fast
 * while it is down instead of queueing, so callers can degrade (a cache miss) rather than hang.
 */
export function createRedis(url: string, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  redis.on('error', (err: Error) => {
    // ioredis reports every reconnect attempt; one line per failure kind is enough.
    if (!loggedErrors.has(err.message)) {
      loggedErrors.add(err.message);
      console.warn(`redis (${name}): ${err.message}`);
    }
  });
  return redis;
}

const loggedErrors = new Set<string>();
