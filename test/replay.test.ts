import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { startFulfillOrder } from '../src/orders/client';
import { anyBuyer, createTestProduct, orderInput, startPlatform, TEMPORAL_ADDRESS, workflowBundle, type Platform } from './harness';

/**
 * Histories are exported with the Temporal CLI, in the same JSON the Web UI downloads: the SDK's
 * own historyToJSON trips over two copies of protobufjs in this dependency tree.
 */
async function exportHistory(workflowId: string): Promise<unknown> {
  const cli = process.env.TEMPORAL_CLI ?? 'temporal';
  const { stdout } = await promisify(execFile)(cli, ['workflow', 'show', '--workflow-id', workflowId, '--address', TEMPORAL_ADDRESS, '--output', 'json'], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as unknown;
}

/**
 * Determinism guard. Histories recorded from earlier code live in test/histories/<crew>/*.json
 * and are replayed against today's workflow code: a change that would break running crews
 * (reordered steps, a new activity without `patched`) fails here. `RECORD_HISTORIES=1 npm test --
 * test/replay.test.ts` re-records the fulfill_order set after a deliberate, versioned change.
 */
const HISTORY_DIR = path.join(__dirname, 'histories');

async function historyFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? historyFiles(path.join(dir, e.name)) : Promise.resolve(e.name.endsWith('.json') ? [path.join(dir, e.name)] : []))));
  return nested.flat().sort();
}

async function replayAll(histories: { workflowId: string; history: unknown }[]): Promise<string[]> {
  const failures: string[] = [];
  const replays = Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories.map((h) => ({ workflowId: h.workflowId, history: historyFromJSON(h.history) })));
  for await (const result of replays) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  return failures;
}

describe('replay', () => {
  test('every committed crew history replays against the current workflow code', async () => {
    const files = await historyFiles(HISTORY_DIR);
    assert.ok(files.some((f) => f.includes(`${path.sep}fulfill-order${path.sep}`)), 'fulfill_order histories are committed');
    const histories = await Promise.all(files.map(async (file) => ({ workflowId: path.basename(file, '.json'), history: JSON.parse(await readFile(file, 'utf8')) as unknown })));
    assert.deepEqual(await replayAll(histories), []);
  });

  describe('fresh fulfill_order histories', () => {
    let platform: Platform;
    before(async () => { platform = await startPlatform(); });
    after(async () => { await platform.stop(); });

    test('happy, substitute, compensated and LLM-fallback crews replay cleanly', async () => {
      const buyer = await anyBuyer(platform.db, 'vip');
      const plenty = await createTestProduct(platform.db, { qty: 50 });
      const category = await platform.db.query<{ code: string }>(`SELECT c.code FROM categories c JOIN products p ON p.category_id = c.id WHERE p.storage = 'ambient' GROUP BY c.code ORDER BY count(*) DESC LIMIT 1`);
      const scarce = await createTestProduct(platform.db, { qty: 1, category: category.rows[0]!.code });
      const scenarios = {
        happy: orderInput(platform, { buyerCode: buyer, items: [{ sku: plenty.sku, qty: 2 }], priority: 'vip' }),
        substitute: orderInput(platform, { buyerCode: buyer, items: [{ sku: scarce.sku, qty: 3 }] }),
        compensated: { ...orderInput(platform, { buyerCode: buyer, items: [{ sku: plenty.sku, qty: 1 }] }), deliveryAddress: { recipient: 'Jan Kowalski', phone: '+48501234567', city: 'Kraków', street: 'ul. Floriańska 1', postalCode: '31019', country: 'PL' } },
        invalid: orderInput(platform, { buyerCode: 'NO-SUCH-BUYER', items: [{ sku: plenty.sku, qty: 1 }] }),
      };
      const recorded: { name: string; workflowId: string; history: unknown }[] = [];
      for (const [name, input] of Object.entries(scenarios)) {
        const { handle } = await startFulfillOrder(platform.client, input);
        await handle.result().catch(() => undefined);
        recorded.push({ name, workflowId: handle.workflowId, history: await exportHistory(handle.workflowId) });
      }
      platform.sim.setFaults({ mode: 'malformed' });
      try {
        const input = orderInput(platform, { buyerCode: buyer, items: [{ sku: plenty.sku, qty: 1 }] });
        const { handle } = await startFulfillOrder(platform.client, input);
        await handle.result();
        recorded.push({ name: 'llm-fallback', workflowId: handle.workflowId, history: await exportHistory(handle.workflowId) });
      } finally {
        platform.sim.setFaults({ mode: 'none' });
      }
      assert.deepEqual(await replayAll(recorded), []);
      if (process.env.RECORD_HISTORIES === '1') {
        const dir = path.join(HISTORY_DIR, 'fulfill-order');
        await mkdir(dir, { recursive: true });
        for (const r of recorded) await writeFile(path.join(dir, `${r.name}.json`), JSON.stringify(r.history));
      }
    });
  });
});
