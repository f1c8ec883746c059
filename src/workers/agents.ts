import { createAgentsWorker } from './factories';
import { connectTemporal, fatal, openAgentDeps, startupConfig } from './runtime';

async function main() {
  const config = startupConfig('agents worker');
  const connection = await connectTemporal(config);
  const deps = openAgentDeps(config, 'greenfood-agents');
  const worker = await createAgentsWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, ...deps });
  await worker.run();
  await deps.close();
  await connection.close();
}

if (require.main === module) main().catch(fatal('agents worker'));
