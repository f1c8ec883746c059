import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { anyBuyer, createTestProduct, DATABASE_URL, orderInput, startPlatform, TEMPORAL_ADDRESS, type Platform } from './harness';

interface CliRun { code: number; stdout: string; stderr: string }

function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, TEMPORAL_ADDRESS, DATABASE_URL, TEMPORAL_UI_URL: 'http://127.0.0.1:8233', ...env },
      timeout: 120_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

describe('greenfood CLI', () => {
  let platform: Platform;
  let dir: string;
  before(async () => {
    platform = await startPlatform();
    dir = await mkdtemp(path.join(tmpdir(), 'greenfood-cli-'));
  });
  after(async () => { await platform.stop(); });

  async function orderFile(overrides: Record<string, unknown> = {}): Promise<{ file: string; orderId: string }> {
    const product = await createTestProduct(platform.db, { qty: 10 });
    const input = { ...orderInput(platform, { buyerCode: await anyBuyer(platform.db), items: [{ sku: product.sku, qty: 1 }] }), ...overrides };
    const file = path.join(dir, `${input.orderId}.json`);
    await writeFile(file, JSON.stringify(input));
    return { file, orderId: input.orderId };
  }

  test('places an order, waits, prints the result as JSON with the Web UI link; a second submit starts nothing', async () => {
    const { file, orderId } = await orderFile();
    const first = await cli(['order', 'place', file, '--priority', 'vip', '--json']);
    assert.equal(first.code, 0, first.stderr);
    const out = JSON.parse(first.stdout) as { workflowId: string; started: boolean; webUi: string; result: { status: string; orderId: string } };
    assert.equal(out.workflowId, `order-${orderId}`);
    assert.equal(out.started, true);
    assert.equal(out.result.status, 'confirmed');
    assert.equal(out.webUi, `http://127.0.0.1:8233/namespaces/default/workflows/order-${orderId}`);
    const described = await platform.client.workflow.getHandle(out.workflowId).describe();
    assert.equal(described.typedSearchAttributes.getAll().find((p) => p.key.name === 'PriorityTier')?.value, 'vip');

    const again = await cli(['order', 'place', file, '--no-wait']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already submitted; nothing new started/);

    const list = await cli(['order', 'list', '--json', '--limit', '50']);
    assert.equal(list.code, 0, list.stderr);
    const rows = JSON.parse(list.stdout) as { id: string; status: string }[];
    assert.deepEqual(rows.find((r) => r.id === orderId)?.status, 'confirmed');
  });

  test('bad input exits 2 with a clear message and starts nothing', async () => {
    const { file, orderId } = await orderFile({ items: [{ sku: 'X', qty: 0 }] });
    const run = await cli(['order', 'place', file]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /invalid order: items\.0\.qty: qty must be greater than 0/);
    const count = await platform.client.workflow.count(`WorkflowId = "order-${orderId}"`);
    assert.equal(count.count, 0);
  });

  test('an order the crew rejects exits 1 with the failure type', async () => {
    const { file } = await orderFile({ buyerCode: 'NO-SUCH-BUYER' });
    const run = await cli(['order', 'place', file]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /\[UnknownBuyer\] order \S+ failed: unknown buyer NO-SUCH-BUYER/);
  });

  test('Temporal unreachable exits 3 and says where it looked', async () => {
    const { file } = await orderFile();
    const run = await cli(['order', 'place', file], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(run.code, 3);
    assert.match(run.stderr, /cannot reach Temporal at 127\.0\.0\.1:1/);
  });
});
