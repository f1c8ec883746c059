import { createAgentsWorker } from './factories';
import { connectTemporal, fatal, openAgentDeps, startupConfig } from './runtime';
import { startProcessObservability } from '../observability';
import { AGENTS_TASK_QUEUE } from '../shared/temporal';

async function main() {
  const config = startupConfig('agents worker');
  const observability = await startProcessObservability(config, 'agents');
  const connection = await connectTemporal(config);
  observability.watchQueues(connection, config.TEMPORAL_NAMESPACE, [{ name: AGENTS_TASK_QUEUE, type: 'activity' }]);
  const deps = openAgentDeps(config, 'greenfood-agents');
  const worker = await createAgentsWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, ...deps });
  await worker.run();
  await deps.close();
  await connection.close();
  await observability.close();
}

if (require.main === module) main().catch(fatal('agents worker'));
