import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { installSettlementSchedule } from '../src/settlement/schedule';
import { installBatchWatchSchedule } from '../src/quality/schedule';

/**
 * Installs every Temporal Schedule of GREENFOOD, idempotently: a missing schedule is created, an
 * existing one is brought to the current spec (a paused one stays paused). Each bounded context
 * exports its `install…Schedule(client)`; add one line per schedule below.
 */
async function main() {
  const config = loadConfig();
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: '10s' });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  try {
    const installed: { scheduleId: string; created: boolean }[] = [];
    installed.push(await installSettlementSchedule(client));
    installed.push(await installBatchWatchSchedule(client));
    for (const s of installed) console.log(JSON.stringify({ msg: s.created ? 'schedule created' : 'schedule updated', scheduleId: s.scheduleId }));
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`install-schedules: ${(err as Error).message}`);
    process.exit(1);
  });
}
