import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createLlmActivities } from '../activities/llm';
import { createAgentActivities, type AgentActivityDeps } from '../activities';
import type { Db } from '../db/pool';
import type { LlmProvider } from '../llm/providers';
import { AGENTS_TASK_QUEUE, CREWS_TASK_QUEUE, llmTaskQueue } from '../shared/temporal';

export interface WorkerBase {
  connection: NativeConnection;
  namespace: string;
}

/** Crew workflows only; `workflowBundle` lets tests and multi-worker processes bundle once. */
export async function createCrewsWorker(base: WorkerBase, extra: Partial<WorkerOptions> = {}): Promise<Worker> {
  return Worker.create({
    connection: base.connection,
    namespace: base.namespace,
    taskQueue: CREWS_TASK_QUEUE,
    ...(extra.workflowBundle ? {} : { workflowsPath: require.resolve('../workflows') }),
    ...extra,
  });
}

export async function createAgentsWorker(base: WorkerBase & AgentActivityDeps, extra: Partial<WorkerOptions> = {}): Promise<Worker> {
  return Worker.create({
    connection: base.connection,
    namespace: base.namespace,
    taskQueue: AGENTS_TASK_QUEUE,
    activities: createAgentActivities({ db: base.db, redis: base.redis, readDb: base.readDb }),
    // Each agent tool holds a Postgres connection while it runs; more slots than connections only queues inside pg.
    maxConcurrentActivityTaskExecutions: 50,
    ...extra,
  });
}

export interface LlmWorkerOptions extends WorkerBase {
  db: Db;
  pool: string;
  provider: LlmProvider;
  /** The node's OLLAMA_NUM_PARALLEL: taking more tasks than slots would only queue them inside Ollama, out of Temporal's sight. */
  parallel: number;
}

export async function createLlmWorker(options: LlmWorkerOptions, extra: Partial<WorkerOptions> = {}): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: llmTaskQueue(options.pool),
    activities: createLlmActivities({ db: options.db, provider: options.provider, pool: options.pool }),
    maxConcurrentActivityTaskExecutions: options.parallel,
    ...extra,
  });
}
