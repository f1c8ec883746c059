import { createAgentsWorker } from './factories';
import { connectTemporal, fatal, openDb, startupConfig } from './runtime';

async function main() {
  const config = startupConfig('agents worker');
  const connection = await connectTemporal(config);
  const db = openDb(config, 'greenfood-agents');
  const worker = await createAgentsWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, db });
  await worker.run();
  await db.end();
  await connection.close();
}

if (require.main === module) main().catch(fatal('agents worker'));
