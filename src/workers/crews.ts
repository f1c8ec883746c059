import { createCrewsWorker } from './factories';
import { createRedis } from '../db/redis';
import { connectTemporal, fatal, routerDeps, startupConfig } from './runtime';
import { startProcessObservability } from '../observability';
import { CREWS_TASK_QUEUE } from '../shared/temporal';

async function main() {
  const config = startupConfig('crews worker');
  const observability = await startProcessObservability(config, 'crews');
  const connection = await connectTemporal(config);
  observability.watchQueues(connection, config.TEMPORAL_NAMESPACE, [{ name: CREWS_TASK_QUEUE, type: 'workflow' }]);
  const redis = createRedis(config.REDIS_URL, 'greenfood-crews');
  const worker = await createCrewsWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, router: routerDeps(config, redis) });
  await worker.run();
  redis.disconnect();
  await connection.close();
  await observability.close();
}

if (require.main === module) main().catch(fatal('crews worker'));
