import { bundleWorkflowCode } from '@temporalio/worker';
import { createAgentsWorker, createCrewsWorker, createLlmWorker } from './factories';
import { resolveOllamaUrl, parseLlmPoolArgs } from './llm';
import { connectTemporal, fatal, llmWorkerExtras, openAgentDeps, providerFor, routerDeps, startupConfig } from './runtime';
import { crewBundleOptions, startProcessObservability } from '../observability';
import { CREWS_TASK_QUEUE } from '../shared/temporal';

/** Every worker kind in one process, for a laptop demo; production runs each entry point on its own. */
async function main() {
  const config = startupConfig('all workers');
  const llmArgs = parseLlmPoolArgs(process.argv.slice(2), config);
  const observability = await startProcessObservability(config, 'all');
  const { url, simulator } = await resolveOllamaUrl(llmArgs, config);
  const connection = await connectTemporal(config);
  const deps = openAgentDeps(config, 'greenfood-all');
  const { db } = deps;
  const base = { connection, namespace: config.TEMPORAL_NAMESPACE };
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: undefined, ...crewBundleOptions() });
  const workers = [
    await createCrewsWorker({ ...base, router: routerDeps(config, deps.redis) }, { workflowBundle }),
    await createAgentsWorker({ ...base, ...deps }),
    await createLlmWorker({
      ...base, db, pool: llmArgs.pool, parallel: llmArgs.parallel, provider: providerFor(llmArgs.pool, config, url),
      ...llmWorkerExtras(config, deps.redis, llmArgs.pool),
    }),
  ];
  console.log(JSON.stringify({ msg: 'workers running', queues: workers.map((w) => w.options.taskQueue) }));
  observability.watchQueues(connection, config.TEMPORAL_NAMESPACE, workers.map((w) => ({ name: w.options.taskQueue, type: w.options.taskQueue === CREWS_TASK_QUEUE ? 'workflow' : 'activity' })));
  await Promise.all(workers.map((w) => w.run()));
  await simulator?.close();
  await deps.close();
  await connection.close();
  await observability.close();
}

if (require.main === module) main().catch(fatal('all workers'));
