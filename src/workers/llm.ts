import { parseArgs } from 'node:util';
import type { Config } from '../config';
import { startLlmSimulator, type LlmSimulator } from '../llm-sim/server';
import { createLlmWorker } from './factories';
import { createDb } from '../db/pool';
import { createRedis } from '../db/redis';
import { connectTemporal, fatal, llmWorkerExtras, providerFor, startupConfig } from './runtime';
import { startProcessObservability } from '../observability';
import { llmTaskQueue } from '../shared/temporal';

export interface LlmPoolArgs {
  pool: string;
  ollamaUrl?: string;
  parallel: number;
}

export function parseLlmPoolArgs(argv: string[], config: Config): LlmPoolArgs {
  const { values } = parseArgs({
    args: argv,
    options: { pool: { type: 'string' }, 'ollama-url': { type: 'string' }, parallel: { type: 'string' } },
    strict: true,
  });
  const parallel = Number(values.parallel ?? config.LLM_PARALLEL);
  if (!Number.isInteger(parallel) || parallel < 1) throw new Error(`--parallel must be a positive integer, got ${values.parallel}`);
  const pool = values.pool ?? config.LLM_POOL;
  if (!/^[a-z0-9-]+$/.test(pool)) throw new Error(`--pool must be lower-case letters, digits or '-', got ${pool}`);
  return { pool, ollamaUrl: values['ollama-url'] ?? config.OLLAMA_URL, parallel };
}

/**
 * Resolves the model server of a local pool. Without one configured, starts the project's LLM
 * simulator in-process and says so loudly: answers are then schema-valid stand-ins, not a model's.
 */
export async function resolveOllamaUrl(args: LlmPoolArgs, config: Config): Promise<{ url: string; simulator?: LlmSimulator }> {
  if (args.pool === 'cloud' || args.ollamaUrl) return { url: args.ollamaUrl ?? '' };
  const simulator = await startLlmSimulator({ port: 0, parallel: args.parallel, latencyMs: config.LLM_SIM_LATENCY_MS, name: `sim-${args.pool}` });
  console.warn(
    `\n*** NO MODEL SERVER CONFIGURED for pool "${args.pool}": using the GREENFOOD LLM SIMULATOR at ${simulator.url} ***\n` +
      '*** Answers are schema-valid placeholders, not a real model. Set OLLAMA_URL or --ollama-url for real generations. ***\n',
  );
  return { url: simulator.url, simulator };
}

async function main() {
  const config = startupConfig('llm worker');
  const args = parseLlmPoolArgs(process.argv.slice(2), config);
  const observability = await startProcessObservability(config, `llm-${args.pool}`);
  const { url, simulator } = await resolveOllamaUrl(args, config);
  const connection = await connectTemporal(config);
  observability.watchQueues(connection, config.TEMPORAL_NAMESPACE, [{ name: llmTaskQueue(args.pool), type: 'activity' }]);
  const db = createDb(config.DATABASE_URL, config.DATABASE_POOL_LLM, `greenfood-llm-${args.pool}`);
  const redis = createRedis(config.REDIS_URL, `greenfood-llm-${args.pool}`);
  const worker = await createLlmWorker({
    connection, namespace: config.TEMPORAL_NAMESPACE, db, pool: args.pool, parallel: args.parallel,
    provider: providerFor(args.pool, config, url),
    ...llmWorkerExtras(config, redis, args.pool),
  });
  console.log(JSON.stringify({ msg: 'llm worker polling', taskQueue: `greenfood-llm-${args.pool}`, parallel: args.parallel }));
  await worker.run();
  await simulator?.close();
  redis.disconnect();
  await db.end();
  await connection.close();
  await observability.close();
}

if (require.main === module) main().catch(fatal('llm worker'));
