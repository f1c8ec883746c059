import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFulfillOrder } from '../src/orders/client';
import { anyBuyer, createTestProduct, DATABASE_URL, orderInput, REDIS_URL, startPlatform, stockOf, TEMPORAL_ADDRESS, type Platform } from './harness';

/** All workers in a child process, so the test can SIGKILL it like a crashed host. */
function startWorkerProcess(platform: Platform): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/workers/all.ts', '--pool', platform.llmPool, '--ollama-url', platform.sim.url, '--parallel', '4'], {
    env: { ...process.env, TEMPORAL_ADDRESS, DATABASE_URL, REDIS_URL, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('worker crash', () => {
  let platform: Platform;
  let worker: ChildProcess | undefined;
  before(async () => {
    // Slow LLM answers keep the crew in flight long enough to kill it between steps.
    platform = await startPlatform({ workers: false, simLatencyMs: 1500 });
  });
  after(async () => {
    worker?.kill('SIGKILL');
    await platform.stop();
  });

  test('a worker process killed mid-crew and restarted: the crew completes with no duplicate effects', async () => {
    const product = await createTestProduct(platform.db, { qty: 12 });
    const input = orderInput(platform, { buyerCode: await anyBuyer(platform.db), items: [{ sku: product.sku, qty: 5 }] });
    worker = startWorkerProcess(platform);
    const { handle } = await startFulfillOrder(platform.client, input);

    // Kill once Finance has written the sale: the Customer Care LLM call is then in flight.
    await waitFor('the finance step', async () => {
      const r = await platform.db.query(`SELECT 1 FROM agent_runs WHERE workflow_id = $1 AND step = 'finance' AND outcome = 'ok'`, [handle.workflowId]);
      return r.rowCount ? true : undefined;
    });
    worker.kill('SIGKILL');
    await once(worker, 'exit');
    const status = await handle.describe();
    assert.equal(status.status.name, 'RUNNING', 'the crew is still open when its worker dies');

    worker = startWorkerProcess(platform);
    const result = await handle.result();
    assert.equal(result.status, 'confirmed');

    const sales = await platform.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_transactions WHERE order_id = $1`, [input.orderId]);
    assert.equal(sales.rows[0]!.n, 1, 'exactly one ledger transaction');
    const postings = await platform.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.txn_id WHERE t.order_id = $1`, [input.orderId]);
    assert.ok(postings.rows[0]!.n >= 3 && postings.rows[0]!.n <= 4);
    assert.deepEqual(await stockOf(platform.db, product.batchId), { onHand: 12, reserved: 5 });
    const shipments = await platform.db.query('SELECT 1 FROM shipments WHERE order_id = $1', [input.orderId]);
    assert.equal(shipments.rowCount, 1);
  });
});
