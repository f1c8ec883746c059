import { createCrewsWorker } from './factories';
import { connectTemporal, fatal, startupConfig } from './runtime';

async function main() {
  const config = startupConfig('crews worker');
  const connection = await connectTemporal(config);
  const worker = await createCrewsWorker({ connection, namespace: config.TEMPORAL_NAMESPACE });
  await worker.run();
  await connection.close();
}

if (require.main === module) main().catch(fatal('crews worker'));
