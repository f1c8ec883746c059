import pg from 'pg';

// Postgres bigint (int8) and numeric come back as strings by default; our kopiyka amounts stay far
// below 2^53, so parse them as numbers once here rather than at every call site.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds safe integer range`);
  return n;
});

export type Db = pg.Pool;

export function createDb(connectionString: string, max: number, applicationName: string): Db {
  const pool = new pg.Pool({ connectionString, max, application_name: applicationName, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection must not crash the worker; the next query reconnects.
  pool.on('error', (err) => console.warn(`postgres pool (${applicationName}): ${err.message}`));
  return pool;
}

export async function inTransaction<T>(db: Db, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
