/**
 * Fixtures for the settlement tests: consignors of their own, products, backdated stock movements
 * and ledger sales written exactly as the order crew's Finance step writes them (one balanced
 * `sale` transaction per order; `sale_reversal` mirrors it), so a test controls a whole month.
 */
import { randomUUID } from 'node:crypto';
import { inTransaction, type Db } from '../src/db/pool';
import { splitSale } from '../src/shared/money';
import type { StorageClass } from '../src/shared/settlement-math';

export interface TestConsignor {
  id: number;
  code: string;
  name: string;
  commissionBp: number;
}

export interface TestProduct {
  id: number;
  sku: string;
  consignorId: number;
  priceKop: number;
  storage: StorageClass;
}

/** `2024-03-05` → that day at 12:00 Kyiv time, as an SQL-ready timestamptz literal. */
export function kyivNoon(date: string): string {
  return `${date} 12:00:00 Europe/Kyiv`;
}

export async function createConsignors(db: Db, count: number, commissionBp: number | number[] = 1500): Promise<TestConsignor[]> {
  const tag = randomUUID().replace(/-/g, '').slice(0, 6).toUpperCase();
  const base = 1_000_000_000 + Math.floor(Math.random() * 8_000_000_000);
  const rows = Array.from({ length: count }, (_, i) => ({
    code: `S${tag}-${String(i + 1).padStart(3, '0')}`,
    name: `Тестова ферма ${tag}-${i + 1}`,
    edrpou: String(base + i).slice(0, 10),
    iban: `UA${String(base + i).padStart(27, '3')}`,
    commission_bp: Array.isArray(commissionBp) ? commissionBp[i % commissionBp.length]! : commissionBp,
    ord: i,
  }));
  const inserted = await db.query<{ id: number; code: string; name: string; commission_bp: number }>(
    `INSERT INTO consignors (code, name, legal_name, edrpou, iban, email, phone, commission_bp, status)
     SELECT r.code, r.name, 'ФОП ' || r.name, r.edrpou, r.iban, 'test@example.com', '+380500000000', r.commission_bp, 'active'
     FROM jsonb_to_recordset($1::jsonb) AS r(code text, name text, edrpou text, iban text, commission_bp int, ord int)
     ORDER BY r.ord
     RETURNING id, code, name, commission_bp`, [JSON.stringify(rows)]);
  return inserted.rows.map((r) => ({ id: r.id, code: r.code, name: r.name, commissionBp: r.commission_bp })).sort((a, b) => a.code.localeCompare(b.code));
}

export async function createProduct(db: Db, consignor: TestConsignor, opts: { priceKop: number; storage?: StorageClass }): Promise<TestProduct> {
  const sku = `TS-${randomUUID().slice(0, 10).toUpperCase()}`;
  const storage = opts.storage ?? 'ambient';
  const r = await db.query<{ id: number }>(
    `INSERT INTO products (sku, consignor_id, category_id, name, price_kop, cost_kop, weight_g, volume_ml, shelf_life_days, storage)
     VALUES ($1, $2, (SELECT id FROM categories ORDER BY id LIMIT 1), 'Тестовий товар ' || $1, $3::bigint, $3::bigint / 2, 500, 500, 365, $4)
     RETURNING id`, [sku, consignor.id, opts.priceKop, storage]);
  return { id: r.rows[0]!.id, sku, consignorId: consignor.id, priceKop: opts.priceKop, storage };
}

export interface TestBatch {
  batchId: number;
  hubId: number;
}

/** A batch received into stock on a given (Kyiv) day, with its receipt in the movement log. */
export async function receiveStock(db: Db, product: TestProduct, qty: number, day: string): Promise<TestBatch> {
  return inTransaction(db, async (client) => {
    const batch = await client.query<{ id: number; hub_id: number }>(
      `INSERT INTO batches (code, product_id, consignor_id, origin_hub_id, production_date, expiry_date, status)
       SELECT $1, $2, $3, (SELECT id FROM hubs ORDER BY id LIMIT 1), $4::date - 5, $4::date + 365, 'in_stock'
       RETURNING id, origin_hub_id AS hub_id`, [`B-${randomUUID().slice(0, 12)}`, product.id, product.consignorId, day]);
    const b = batch.rows[0]!;
    await client.query(
      `INSERT INTO stock (batch_id, hub_id, zone_id, qty_on_hand)
       VALUES ($1, $2, (SELECT id FROM hub_zones WHERE hub_id = $2 AND temperature_zone = $4 LIMIT 1), $3)`, [b.id, b.hub_id, qty, product.storage]);
    await client.query(
      `INSERT INTO stock_movements (batch_id, hub_id, kind, qty, reference, created_at) VALUES ($1, $2, 'receipt', $3, 'test', $4::timestamptz)`,
      [b.id, b.hub_id, qty, kyivNoon(day)]);
    return { batchId: b.id, hubId: b.hub_id };
  });
}

export async function writeOff(db: Db, batch: TestBatch, qty: number, day: string, reason: string): Promise<void> {
  await inTransaction(db, async (client) => {
    await client.query('UPDATE stock SET qty_on_hand = qty_on_hand - $3 WHERE batch_id = $1 AND hub_id = $2', [batch.batchId, batch.hubId, qty]);
    await client.query(
      `INSERT INTO stock_movements (batch_id, hub_id, kind, qty, reference, reason, created_at) VALUES ($1, $2, 'write_off', $3, 'test', $4, $5::timestamptz)`,
      [batch.batchId, batch.hubId, qty, reason, kyivNoon(day)]);
  });
}

export interface SaleLine {
  product: TestProduct;
  qty: number;
  discountKop?: number;
  /** Reserve from this batch, so the sale shows in turnover by hub. */
  batch?: TestBatch;
}

export interface RecordedSale {
  orderId: string;
  txnId: number;
  /** Goods value per consignor (after discounts) and the commission the sale kept, as Finance computes it. */
  byConsignor: Map<number, { goodsKop: number; commissionKop: number }>;
}

/** A sale on a given (Kyiv) day, written like `financeRecordSale`: buyer owes, platform earns commission, consignors are owed the rest. */
export async function recordSale(db: Db, day: string, lines: SaleLine[], commissionBpOf: (consignorId: number) => number): Promise<RecordedSale> {
  const orderId = `TS-${randomUUID().slice(0, 12)}`;
  return inTransaction(db, async (client) => {
    const buyer = await client.query<{ id: number }>('SELECT id FROM buyers ORDER BY id LIMIT 1');
    const buyerId = buyer.rows[0]!.id;
    await client.query(
      `INSERT INTO orders (id, workflow_id, buyer_id, priority, status, delivery_address, created_at, updated_at)
       VALUES ($1, $2, $3, 'regular', 'confirmed', '{}', $4::timestamptz, $4::timestamptz)`, [orderId, `test-${orderId}`, buyerId, kyivNoon(day)]);
    for (const [i, line] of lines.entries()) {
      await client.query(
        `INSERT INTO order_lines (order_id, line_no, requested_product_id, product_id, consignor_id, qty, unit_price_kop, discount_kop)
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7)`,
        [orderId, i + 1, line.product.id, line.product.consignorId, line.qty, line.product.priceKop, line.discountKop ?? 0]);
      if (line.batch) {
        await client.query('INSERT INTO reservations (order_id, line_no, batch_id, hub_id, qty) VALUES ($1, $2, $3, $4, $5)',
          [orderId, i + 1, line.batch.batchId, line.batch.hubId, line.qty]);
      }
    }
    const shares = lines.map((l) => ({ consignorId: l.product.consignorId, netKop: l.product.priceKop * l.qty - (l.discountKop ?? 0), commissionBp: commissionBpOf(l.product.consignorId) }));
    const split = splitSale(shares);
    const goods = shares.reduce((s, l) => s + l.netKop, 0);
    const txn = await client.query<{ id: number }>(
      `INSERT INTO ledger_transactions (idempotency_key, kind, order_id, description, created_at) VALUES ($1, 'sale', $2, 'test sale', $3::timestamptz) RETURNING id`,
      [`test-${orderId}:finance`, orderId, kyivNoon(day)]);
    const txnId = txn.rows[0]!.id;
    await client.query(`INSERT INTO ledger_postings (txn_id, account, buyer_id, amount_kop) VALUES ($1, 'buyer_receivable', $2, $3)`, [txnId, buyerId, goods]);
    if (split.commissionKop !== 0) await client.query(`INSERT INTO ledger_postings (txn_id, account, amount_kop) VALUES ($1, 'platform_commission', $2)`, [txnId, -split.commissionKop]);
    for (const p of split.payables) {
      await client.query(`INSERT INTO ledger_postings (txn_id, account, consignor_id, amount_kop) VALUES ($1, 'consignor_payable', $2, $3)`, [txnId, p.consignorId, -p.amountKop]);
    }
    const byConsignor = new Map<number, { goodsKop: number; commissionKop: number }>();
    for (const share of shares) {
      const e = byConsignor.get(share.consignorId) ?? { goodsKop: 0, commissionKop: 0 };
      e.goodsKop += share.netKop;
      byConsignor.set(share.consignorId, e);
    }
    for (const p of split.payables) byConsignor.get(p.consignorId)!.commissionKop = byConsignor.get(p.consignorId)!.goodsKop - p.amountKop;
    return { orderId, txnId, byConsignor };
  });
}

/** A return of the whole order on a given day, written like the order saga's `compensateReverseSale`. */
export async function reverseSale(db: Db, sale: RecordedSale, day: string): Promise<void> {
  await inTransaction(db, async (client) => {
    const reversal = await client.query<{ id: number }>(
      `INSERT INTO ledger_transactions (idempotency_key, kind, order_id, reverses_id, description, created_at)
       VALUES ($1, 'sale_reversal', $2, $3, 'test return', $4::timestamptz) RETURNING id`,
      [`test-${sale.orderId}:finance:reversal`, sale.orderId, sale.txnId, kyivNoon(day)]);
    await client.query(
      `INSERT INTO ledger_postings (txn_id, account, consignor_id, buyer_id, amount_kop)
       SELECT $2, account, consignor_id, buyer_id, -amount_kop FROM ledger_postings WHERE txn_id = $1`, [sale.txnId, reversal.rows[0]!.id]);
  });
}

/** A price change as the products trigger logs it, but on a given day (the log is append-only, so it is inserted backdated). */
export async function logPriceChange(db: Db, product: TestProduct, newPriceKop: number, day: string, actor: string, reason: string): Promise<void> {
  await db.query(
    `INSERT INTO price_changes (product_id, old_price_kop, new_price_kop, actor, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6::timestamptz)`,
    [product.id, product.priceKop, newPriceKop, actor, reason, kyivNoon(day)]);
}

/** A manual correction of a consignor's balance: an `adjustment` transaction plus who and why. Positive = owed more to the consignor. */
export async function adjustBalance(db: Db, consignor: TestConsignor, amountKop: number, day: string, actor: string, reason: string): Promise<void> {
  await inTransaction(db, async (client) => {
    const txn = await client.query<{ id: number }>(
      `INSERT INTO ledger_transactions (idempotency_key, kind, description, created_at) VALUES ($1, 'adjustment', $2, $3::timestamptz) RETURNING id`,
      [`test-adjustment-${randomUUID()}`, reason, kyivNoon(day)]);
    const id = txn.rows[0]!.id;
    await client.query(
      `INSERT INTO ledger_postings (txn_id, account, consignor_id, amount_kop) VALUES ($1, 'consignor_payable', $2, $3), ($1, 'fees_revenue', NULL, $4)`,
      [id, consignor.id, -amountKop, amountKop]);
    await client.query('INSERT INTO balance_adjustments (consignor_id, amount_kop, ledger_txn_id, actor, reason, created_at) VALUES ($1, $2, $3, $4, $5, $6::timestamptz)',
      [consignor.id, amountKop, id, actor, reason, kyivNoon(day)]);
  });
}

/** Many consignors with one small sale each in a period: the fan-out test's month. */
export async function seedSmallMonth(db: Db, count: number, day: string): Promise<{ consignors: TestConsignor[]; goodsKop: Map<number, number> }> {
  const consignors = await createConsignors(db, count, [1000, 1500, 2000]);
  const goodsKop = new Map<number, number>();
  for (const [i, c] of consignors.entries()) {
    const product = await createProduct(db, c, { priceKop: 1_000 + 37 * i });
    const qty = 1 + (i % 3);
    await recordSale(db, day, [{ product, qty }], () => c.commissionBp);
    goodsKop.set(c.id, product.priceKop * qty);
  }
  return { consignors, goodsKop };
}

export interface StatementRow {
  code: string;
  opening_kop: number;
  sales_kop: number;
  returns_kop: number;
  commission_kop: number;
  logistics_fee_kop: number;
  storage_fee_kop: number;
  fees_kop: number;
  adjustments_kop: number;
  net_kop: number;
  closing_kop: number;
  payout_kop: number;
  carried_over_kop: number | null;
  payout_status: string;
  act_markdown: string;
  act_html: string;
  recommendations: { summary: string; recommendations: { basedOn: string; action: string }[] } | null;
}

export async function statementsOf(db: Db, period: string, codes: string[]): Promise<Map<string, StatementRow>> {
  const r = await db.query<StatementRow>(
    `SELECT c.code, s.*, p.status AS payout_status FROM settlement_statements s JOIN consignors c ON c.id = s.consignor_id
       JOIN settlement_payouts p ON p.statement_id = s.id
     WHERE s.period = $1 AND c.code = ANY($2) ORDER BY c.code`, [period, codes]);
  return new Map(r.rows.map((row) => [row.code, row]));
}

export async function settlementCounts(db: Db, period: string): Promise<{ statements: number; payouts: number; decisions: number; ledgerTxns: number; findings: number }> {
  const r = await db.query<{ statements: number; payouts: number; decisions: number; ledgerTxns: number; findings: number }>(
    `SELECT (SELECT count(*)::int FROM settlement_statements WHERE period = $1) AS statements,
            (SELECT count(*)::int FROM settlement_payouts WHERE period = $1) AS payouts,
            (SELECT count(*)::int FROM settlement_decisions WHERE period = $1) AS decisions,
            (SELECT count(*)::int FROM ledger_transactions WHERE idempotency_key LIKE 'settlement-' || $1 || '-%') AS "ledgerTxns",
            (SELECT count(*)::int FROM compliance_findings WHERE period = $1) AS findings`, [period]);
  return r.rows[0]!;
}
