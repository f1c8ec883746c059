/**
 * Fixtures of the marketing_campaign and Batch & Quality tests: dates from the database's clock,
 * products with chosen cost and stock, sales and demand rows, history replay and export.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { MarketingCampaignInput } from '../src/campaigns/contract';
import type { Db } from '../src/db/pool';
import { TEMPORAL_ADDRESS, uniqueId, workflowBundle, type Platform } from './harness';

/** Today by the database's clock: what the activities compare expiry dates against. */
export async function dbToday(db: Db): Promise<string> {
  const r = await db.query<{ today: string }>(`SELECT to_char(current_date, 'YYYY-MM-DD') AS today`);
  return r.rows[0]!.today;
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export async function productOf(db: Db, sku: string): Promise<{ id: number; name: string; priceKop: number; costKop: number }> {
  const r = await db.query<{ id: number; name: string; price_kop: number; cost_kop: number }>('SELECT id, name, price_kop, cost_kop FROM products WHERE sku = $1', [sku]);
  const p = r.rows[0]!;
  return { id: p.id, name: p.name, priceKop: p.price_kop, costKop: p.cost_kop };
}

export async function setCost(db: Db, sku: string, costKop: number): Promise<void> {
  await db.query('UPDATE products SET cost_kop = $2 WHERE sku = $1', [sku, costKop]);
}

/** Every unit of the batch reserved: on hand, but nothing free to promote or sell. */
export async function reserveAll(db: Db, batchId: number): Promise<void> {
  await db.query('UPDATE stock SET qty_reserved = qty_on_hand WHERE batch_id = $1', [batchId]);
}

/** Ships `qty` units out of a batch the way the warehouse records it: a shipment movement and less on hand. */
export async function shipFromBatch(db: Db, batchId: number, qty: number): Promise<void> {
  const r = await db.query<{ hub_id: number }>(
    'UPDATE stock SET qty_on_hand = qty_on_hand - $2 WHERE batch_id = $1 RETURNING hub_id', [batchId, qty]);
  await db.query(`INSERT INTO stock_movements (batch_id, hub_id, kind, qty, reference) VALUES ($1, $2, 'shipment', $3, 'test:shipment')`,
    [batchId, r.rows[0]!.hub_id, qty]);
}

/**
 * A confirmed order of `qty` units of a product for delivery to `city`: the demand signal the
 * Warehouse reads to pick a transfer hub (written directly: these tests are about the watch).
 */
export async function placeDemand(db: Db, opts: { productId: number; city: string; qty: number; daysAgo?: number }): Promise<string> {
  const orderId = uniqueId('DEMAND');
  const buyer = await db.query<{ id: number }>('SELECT id FROM buyers ORDER BY id LIMIT 1');
  const product = await db.query<{ consignor_id: number; price_kop: number }>('SELECT consignor_id, price_kop FROM products WHERE id = $1', [opts.productId]);
  await db.query(
    `INSERT INTO orders (id, workflow_id, buyer_id, priority, status, delivery_address, created_at)
     VALUES ($1, $2, $3, 'regular', 'confirmed', $4, now() - make_interval(days => $5))`,
    [orderId, `test-${orderId}`, buyer.rows[0]!.id, JSON.stringify({ recipient: 'Test', phone: '+380500000000', city: opts.city, street: 'вул. Тестова, 1', postalCode: '01001', country: 'UA' }), opts.daysAgo ?? 0]);
  await db.query(
    `INSERT INTO order_lines (order_id, line_no, requested_product_id, product_id, consignor_id, qty, unit_price_kop)
     VALUES ($1, 1, $2, $2, $3, $4, $5)`, [orderId, opts.productId, product.rows[0]!.consignor_id, opts.qty, product.rows[0]!.price_kop]);
  return orderId;
}

export async function campaignInput(platform: Platform, overrides: Partial<MarketingCampaignInput> & Pick<MarketingCampaignInput, 'products'>): Promise<MarketingCampaignInput> {
  const today = await dbToday(platform.db);
  return {
    campaignId: uniqueId('camp'),
    name: 'Осінній крафтовий тиждень',
    goal: 'Підняти продажі крафтових продуктів восени',
    objective: 'sales',
    channels: ['instagram', 'telegram', 'email', 'site_banner'],
    budgetKop: 500_000,
    startDate: today,
    endDate: addDays(today, 13),
    priority: 'background',
    language: 'uk',
    llmPool: platform.llmPool,
    ...overrides,
  };
}

export function activityTypes(history: { events?: { activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null }[] | null }): string[] {
  return (history.events ?? []).flatMap((e) => {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}

export interface RunRef {
  workflowId: string;
  /** A particular run; the latest when absent. */
  runId?: string;
}

/** Replays each workflow's real history against today's workflow code; a non-determinism fails the test. */
export async function assertReplays(client: Client, runs: readonly RunRef[]): Promise<void> {
  const histories = await Promise.all(runs.map(async (r) => ({ workflowId: r.workflowId, history: await client.workflow.getHandle(r.workflowId, r.runId).fetchHistory() })));
  const failures: string[] = [];
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
    replayed += 1;
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  assert.deepEqual(failures, []);
  assert.equal(replayed, runs.length);
}

/**
 * With RECORD_HISTORIES=1, saves histories (Temporal CLI JSON, as the Web UI downloads them) under
 * test/histories/<crew>/ so test/replay.test.ts guards them against future workflow changes.
 */
export async function recordHistories(crew: string, named: Record<string, RunRef>): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const cli = process.env.TEMPORAL_CLI ?? 'temporal';
  const dir = path.join(__dirname, 'histories', crew);
  await mkdir(dir, { recursive: true });
  for (const [name, run] of Object.entries(named)) {
    const args = ['workflow', 'show', '--workflow-id', run.workflowId, ...(run.runId ? ['--run-id', run.runId] : []), '--address', TEMPORAL_ADDRESS, '--output', 'json'];
    const { stdout } = await promisify(execFile)(cli, args, { maxBuffer: 64 * 1024 * 1024 });
    await writeFile(path.join(dir, `${name}.json`), stdout);
  }
}
