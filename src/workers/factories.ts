import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createLlmActivities } from '../activities/llm';
import { createAgentActivities, type AgentActivityDeps } from '../activities';
import type { Db } from '../db/pool';
import type { LlmProvider } from '../llm/providers';
import { createRouterActivities, type RouterDeps } from '../activities/router';
import type { RedisClient } from '../db/redis';
import { LlmCache } from '../llm/cache';
import { PoolLoad, startPoolHealthReporter } from '../llm/pool-health';
import { AGENTS_TASK_QUEUE, CREWS_TASK_QUEUE, llmTaskQueue } from '../shared/temporal';
import { llmPoolSlots, workerObservability } from '../observability';

export interface WorkerBase {
  connection: NativeConnection;
  namespace: string;
}

/** Crew workflows only; `workflowBundle` lets tests and multi-worker processes bundle once. */
/**
 * Crew workflows, plus the LLM router as a local activity: it only reads pool health from Redis,
 * so a round trip through the server for it would cost more than the decision.
 */
export async function createCrewsWorker(base: WorkerBase & { router: RouterDeps }, extra: Partial<WorkerOptions> = {}): Promise<Worker> {
  return Worker.create({
    connection: base.connection,
    namespace: base.namespace,
    taskQueue: CREWS_TASK_QUEUE,
    activities: createRouterActivities(base.router),
    ...(extra.workflowBundle ? {} : { workflowsPath: require.resolve('../workflows') }),
    ...extra,
    // Tracing and crew metrics; a prebuilt bundle must carry the interceptors itself (crewBundleOptions()).
    ...workerObservability('crews', extra),
  });
}

export async function createAgentsWorker(base: WorkerBase & AgentActivityDeps, extra: Partial<WorkerOptions> = {}): Promise<Worker> {
  return Worker.create({
    connection: base.connection,
    namespace: base.namespace,
    taskQueue: AGENTS_TASK_QUEUE,
    activities: createAgentActivities({ db: base.db, redis: base.redis, readDb: base.readDb, fairnessWeights: base.fairnessWeights }),
    // Each agent tool holds a Postgres connection while it runs; more slots than connections only queues inside pg.
    maxConcurrentActivityTaskExecutions: 50,
    ...extra,
    ...workerObservability('activities', extra),
  });
}

export interface LlmWorkerOptions extends WorkerBase {
  db: Db;
  pool: string;
  provider: LlmProvider;
  /** The node's OLLAMA_NUM_PARALLEL: taking more tasks than slots would only queue them inside Ollama, out of Temporal's sight. */
  parallel: number;
  /** Publishes this pool's health and load to Redis for the router; absent means the pool is only reachable pinned. */
  health?: { redis: RedisClient; prefix: string; kind: 'local' | 'cloud'; budgetWindowMs?: number };
  cache?: { redis: RedisClient; prefix: string; ttlSeconds: number; maxTemperature: number };
  /** Server-enforced rate limit of the whole queue (the cloud provider's quota). */
  maxTaskQueueActivitiesPerSecond?: number;
}

export async function createLlmWorker(options: LlmWorkerOptions, extra: Partial<WorkerOptions> = {}): Promise<Worker> {
  llmPoolSlots.set({ pool: options.pool }, options.parallel);
  const load = new PoolLoad();
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: llmTaskQueue(options.pool),
    activities: createLlmActivities({
      db: options.db, provider: options.provider, pool: options.pool, load,
      ...(options.cache ? { cache: new LlmCache(options.cache), cacheMaxTemperature: options.cache.maxTemperature } : {}),
      ...(options.health ? { redis: options.health.redis, redisPrefix: options.health.prefix, budgetWindowMs: options.health.budgetWindowMs } : {}),
    }),
    maxConcurrentActivityTaskExecutions: options.parallel,
    ...(options.maxTaskQueueActivitiesPerSecond ? { maxTaskQueueActivitiesPerSecond: options.maxTaskQueueActivitiesPerSecond } : {}),
    ...extra,
    ...workerObservability('activities', extra),
  });
  if (options.health) {
    const stop = startPoolHealthReporter({
      ...options.health, pool: options.pool, slots: options.parallel, load,
      connection: options.connection, namespace: options.namespace,
      // Withdraw from routing as soon as the worker stops polling, not only when the entry expires.
      isServing: () => ['INITIALIZED', 'RUNNING'].includes(worker.getState()),
    });
    void waitUntilStopped(worker).then(stop);
  }
  return worker;
}

async function waitUntilStopped(worker: Worker): Promise<void> {
  while (['INITIALIZED', 'RUNNING', 'STOPPING', 'DRAINING'].includes(worker.getState())) {
    await new Promise((resolve) => setTimeout(resolve, 500).unref());
  }
}
