/** Fixtures of the conversation tests: people of their own, so no other test's orders change what they see. */
import { randomInt } from 'node:crypto';
import type { Db } from '../src/db/pool';
import { startFulfillOrder } from '../src/orders/client';
import type { FulfillOrderResult } from '../src/orders/contract';
import { orderInput, uniqueId, type Platform } from './harness';

export async function createTestBuyer(db: Db, tier: 'retail' | 'b2b' | 'vip' = 'retail'): Promise<{ code: string; id: number }> {
  const code = uniqueId('TB');
  const r = await db.query<{ id: number }>(
    `INSERT INTO buyers (code, name, tier, email, phone, city) VALUES ($1, $2, $3, $4, '+380501112233', 'Київ') RETURNING id`,
    [code, `Тестовий покупець ${code}`, tier, `${code.toLowerCase()}@example.com`]);
  return { code, id: r.rows[0]!.id };
}

export async function createTestConsignor(db: Db): Promise<{ code: string; id: number }> {
  const code = uniqueId('TC');
  const digits = (n: number) => Array.from({ length: n }, () => String(randomInt(10))).join('');
  const r = await db.query<{ id: number }>(
    `INSERT INTO consignors (code, name, legal_name, edrpou, iban, email, phone, commission_bp)
     VALUES ($1, $2, $2, $3, $4, $5, '+380441112233', 1500) RETURNING id`,
    [code, `Тестова пасіка ${code}`, digits(10), `UA${digits(27)}`, `${code.toLowerCase()}@example.com`]);
  return { code, id: r.rows[0]!.id };
}

/** A product of the given consignor with `qty` sellable units in one fresh batch. */
export async function createConsignorProduct(db: Db, consignorId: number, qty: number, priceKop = 25_000): Promise<{ sku: string }> {
  const sku = uniqueId('T-SKU').toUpperCase();
  const p = await db.query<{ id: number }>(
    `INSERT INTO products (sku, consignor_id, category_id, name, price_kop, cost_kop, weight_g, volume_ml, ingredients, allergens, shelf_life_days, storage)
     VALUES ($1, $2, (SELECT id FROM categories WHERE code = 'honey'), $3, $4::bigint, $4::bigint / 2, 500, 400, '{мед гречаний}', '{продукти бджільництва}', 730, 'ambient')
     RETURNING id`, [sku, consignorId, `Мед гречаний ${sku}`, priceKop]);
  const b = await db.query<{ id: number; hub_id: number }>(
    `INSERT INTO batches (code, product_id, consignor_id, origin_hub_id, production_date, expiry_date, status)
     SELECT $1, $2, $3, h.id, current_date - 5, current_date + 400, 'in_stock' FROM hubs h WHERE h.code = 'KYI'
     RETURNING id, origin_hub_id AS hub_id`, [`B-${sku}`, p.rows[0]!.id, consignorId]);
  const batch = b.rows[0]!;
  await db.query(
    `INSERT INTO stock (batch_id, hub_id, zone_id, qty_on_hand)
     VALUES ($1, $2, (SELECT id FROM hub_zones WHERE hub_id = $2 AND temperature_zone = 'ambient' LIMIT 1), $3)`, [batch.id, batch.hub_id, qty]);
  await db.query(`INSERT INTO stock_movements (batch_id, hub_id, kind, qty, reference) VALUES ($1, $2, 'receipt', $3, 'test')`, [batch.id, batch.hub_id, qty]);
  return { sku };
}

/** A real order through the fulfill_order crew, so the chat reads what the crew wrote (shipments, ledger). */
export async function placeOrder(platform: Platform, buyerCode: string, sku: string, qty: number): Promise<FulfillOrderResult> {
  const { handle } = await startFulfillOrder(platform.client, orderInput(platform, { buyerCode, items: [{ sku, qty }] }));
  return handle.result();
}

export async function trackingNumbers(db: Db, orderId: string): Promise<string[]> {
  const r = await db.query<{ tracking_number: string }>(
    `SELECT tracking_number FROM shipments WHERE order_id = $1 AND status <> 'cancelled' ORDER BY tracking_number`, [orderId]);
  return r.rows.map((row) => row.tracking_number);
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000, everyMs = 150): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
