import Redis from 'ioredis';

export type RedisClient = Redis;

/**
 * Redis holds only fast, rebuildable state (sessions, caches, pool health). A command issued while
 * the client is still connecting waits for the connection; while Redis is down it fails after one
 * reconnect attempt, so callers degrade (a cache miss) within a fraction of a second, never hang.
 */
export function createRedis(url: string, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 1,
    connectTimeout: 1000,
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
