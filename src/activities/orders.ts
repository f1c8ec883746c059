import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/activity';
import type pg from 'pg';
import { inTransaction, type Db } from '../db/pool';
import { FULFILL_ORDER_CREW, type DeliveryAddress, type FulfillOrderInput, type OrderStep } from '../orders/contract';
import { describeIssues, FulfillOrderInputSchema } from '../orders/schema';
import { FailureType } from '../shared/errors';
import { priceLines, splitSale } from '../shared/money';
import { journaledStep } from './journal';

/**
 * A batch is sold only while it has this many days left, so it cannot expire on the way
 * (longest domestic delivery is 3 days). Seller and Warehouse share it so they agree.
 */
export const MIN_DAYS_LEFT_TO_SELL = 3;
const SELLABLE_BATCH = `b.status IN ('in_stock', 'partly_sold') AND b.expiry_date > current_date + ${MIN_DAYS_LEFT_TO_SELL}`;

export interface AcceptedOrder {
  orderId: string;
  buyer: { id: number; code: string; tier: 'retail' | 'b2b' | 'vip' };
  /** Set when every line comes from one consignor: the order is then that consignor's work (fairness). */
  consignor?: { code: string; fairnessWeight?: number };
  items: { lineNo: number; productId: number; sku: string; name: string; category: string; qty: number }[];
}

export interface BasketLineAnalysis {
  lineNo: number;
  productId: number;
  sku: string;
  qty: number;
  available: number;
  /** Same-category products that can cover the whole line, best first by price closeness. */
  candidates: { productId: number; sku: string; name: string; priceKop: number; available: number }[];
}

export interface ChosenLine {
  lineNo: number;
  requestedProductId: number;
  productId: number;
  qty: number;
  substitutionReason?: string;
}

export interface PricedBasket {
  subtotalKop: number;
  discountKop: number;
  discountBp: number;
  lines: { lineNo: number; sku: string; name: string; qty: number; unitPriceKop: number; discountKop: number; substitutedFor?: string }[];
}

export interface Reservation {
  pickingList: { hubCode: string; zone: string; batchCode: string; sku: string; name: string; qty: number; expiryDate: string }[];
  packingList: { hubCode: string; box: string; items: { sku: string; qty: number }[] }[];
}

export interface ShipmentPlan {
  hubCode: string;
  hubCity: string;
  carrier: string;
  service: string;
  trackingNumber: string;
  etaDate: string;
  deliveryKop: number;
}

export interface SaleRecord {
  ledgerTxnId: number;
  totalKop: number;
  deliveryKop: number;
  commissionKop: number;
  paymentDueDate: string;
}

const CITY_COORDS: Record<string, [number, number]> = {
  'київ': [50.45, 30.52], 'львів': [49.84, 24.03], 'одеса': [46.48, 30.72], 'харків': [49.99, 36.23],
  'дніпро': [48.46, 35.05], 'запоріжжя': [47.84, 35.14], 'вінниця': [49.23, 28.47], 'полтава': [49.59, 34.55],
  'чернігів': [51.5, 31.29], 'житомир': [50.25, 28.66], 'ужгород': [48.62, 22.29], 'івано-франківськ': [48.92, 24.71],
  'тернопіль': [49.55, 25.59], 'рівне': [50.62, 26.25], 'луцьк': [50.75, 25.33], 'черкаси': [49.44, 32.06],
  'суми': [50.91, 34.8], 'миколаїв': [46.98, 31.99], 'херсон': [46.64, 32.61], 'чернівці': [48.29, 25.94],
  'хмельницький': [49.42, 26.99], 'кропивницький': [48.51, 32.26], 'kyiv': [50.45, 30.52], 'lviv': [49.84, 24.03],
  'odesa': [46.48, 30.72], 'kharkiv': [49.99, 36.23], 'dnipro': [48.46, 35.05],
};

function distanceKm(from: string, to: string): number | undefined {
  const a = CITY_COORDS[from.trim().toLowerCase()];
  const b = CITY_COORDS[to.trim().toLowerCase()];
  if (!a || !b) return undefined;
  const rad = Math.PI / 180;
  const dLat = (b[0] - a[0]) * rad;
  const dLon = (b[1] - a[1]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2;
  // Roads are ~1.3× the great-circle distance in Ukraine's network.
  return Math.round(2 * 6371 * Math.asin(Math.sqrt(h)) * 1.3);
}

function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function nonRetryable(type: FailureType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? undefined : [details] });
}

export interface OrderActivityDeps {
  db: Db;
  /** Fairness weight per consignor plan (e.g. premium 3, standard 1); absent plans weigh 1. */
  fairnessWeights?: Record<string, number>;
}

export function createOrderActivities(deps: OrderActivityDeps) {
  const { db } = deps;

  const asAgentStep = <T>(step: OrderStep, agent: string, work: () => Promise<T>): Promise<T> =>
    journaledStep(db, { crew: FULFILL_ORDER_CREW, step, agent }, work);

  async function orderStatus(client: pg.PoolClient, orderId: string, status: string) {
    await client.query('UPDATE orders SET status = $2, updated_at = now() WHERE id = $1', [orderId, status]);
  }

  return {
    /** Assistant: validates the order at the edge and registers it; bad input writes nothing. */
    async assistantAcceptOrder(raw: FulfillOrderInput, workflowId: string): Promise<AcceptedOrder> {
      return asAgentStep('assistant', 'assistant', async () => {
        const parsed = FulfillOrderInputSchema.safeParse(raw);
        if (!parsed.success) throw nonRetryable(FailureType.InvalidInput, `invalid order: ${describeIssues(parsed.error)}`);
        const order = parsed.data;
        return inTransaction(db, async (client) => {
          const buyer = await client.query<{ id: number; code: string; tier: AcceptedOrder['buyer']['tier'] }>(
            'SELECT id, code, tier FROM buyers WHERE code = $1', [order.buyerCode]);
          const buyerRow = buyer.rows[0];
          if (!buyerRow) throw nonRetryable(FailureType.UnknownBuyer, `unknown buyer ${order.buyerCode}`);
          const products = await client.query<{ id: number; sku: string; name: string; category: string; consignor: string; plan: string }>(
            `SELECT p.id, p.sku, p.name, c.code AS category, co.code AS consignor, co.plan
             FROM products p JOIN categories c ON c.id = p.category_id JOIN consignors co ON co.id = p.consignor_id
             WHERE p.sku = ANY($1) AND p.active`, [order.items.map((i) => i.sku)]);
          const bySku = new Map(products.rows.map((p) => [p.sku, p]));
          const unknown = order.items.filter((i) => !bySku.has(i.sku)).map((i) => i.sku);
          if (unknown.length) throw nonRetryable(FailureType.UnknownProduct, `unknown or inactive product(s): ${unknown.join(', ')}`);

          const inserted = await client.query(
            `INSERT INTO orders (id, workflow_id, buyer_id, priority, status, delivery_address)
             VALUES ($1, $2, $3, $4, 'accepted', $5) ON CONFLICT (id) DO NOTHING`,
            [order.orderId, workflowId, buyerRow.id, order.priority, JSON.stringify(order.deliveryAddress)]);
          if (inserted.rowCount === 0) {
            const existing = await client.query<{ workflow_id: string }>('SELECT workflow_id FROM orders WHERE id = $1', [order.orderId]);
            if (existing.rows[0]?.workflow_id !== workflowId) {
              throw nonRetryable(FailureType.InvalidInput, `order id ${order.orderId} is already used by another order`);
            }
          }
          const consignors = new Set(products.rows.map((p) => p.consignor));
          const sole = consignors.size === 1 ? products.rows[0] : undefined;
          return {
            orderId: order.orderId,
            buyer: buyerRow,
            ...(sole ? { consignor: { code: sole.consignor, ...(deps.fairnessWeights?.[sole.plan] !== undefined ? { fairnessWeight: deps.fairnessWeights[sole.plan] } : {}) } } : {}),
            items: order.items.map((item, index) => {
              const p = bySku.get(item.sku)!;
              return { lineNo: index + 1, productId: p.id, sku: p.sku, name: p.name, category: p.category, qty: item.qty };
            }),
          };
        });
      });
    },

    /** Seller: availability per line and, where short, the substitutes code considers acceptable. */
    async sellerCheckAvailability(order: AcceptedOrder): Promise<BasketLineAnalysis[]> {
      return asAgentStep('seller', 'seller', async () => {
        const productIds = order.items.map((i) => i.productId);
        const available = await db.query<{ product_id: number; available: number }>(
          `SELECT b.product_id, sum(s.qty_on_hand - s.qty_reserved)::int AS available
           FROM stock s JOIN batches b ON b.id = s.batch_id
           WHERE b.product_id = ANY($1) AND ${SELLABLE_BATCH} GROUP BY b.product_id`, [productIds]);
        const availableOf = new Map(available.rows.map((r) => [r.product_id, r.available]));
        const analysis: BasketLineAnalysis[] = [];
        for (const item of order.items) {
          const have = availableOf.get(item.productId) ?? 0;
          let candidates: BasketLineAnalysis['candidates'] = [];
          if (have < item.qty) {
            const found = await db.query<BasketLineAnalysis['candidates'][number]>(
              `SELECT p.id AS "productId", p.sku, p.name, p.price_kop AS "priceKop", sum(s.qty_on_hand - s.qty_reserved)::int AS available
               FROM products p JOIN batches b ON b.product_id = p.id JOIN stock s ON s.batch_id = b.id
               WHERE p.category_id = (SELECT category_id FROM products WHERE id = $1) AND p.id <> $1 AND p.active
                 AND p.id <> ALL($3) AND ${SELLABLE_BATCH}
               GROUP BY p.id HAVING sum(s.qty_on_hand - s.qty_reserved) >= $2
               ORDER BY abs(p.price_kop - (SELECT price_kop FROM products WHERE id = $1)), p.id LIMIT 5`,
              [item.productId, item.qty, productIds]);
            candidates = found.rows;
          }
          analysis.push({ lineNo: item.lineNo, productId: item.productId, sku: item.sku, qty: item.qty, available: have, candidates });
        }
        return analysis;
      });
    },

    /** Seller: writes the basket with unit prices and the buyer's tier or negotiated discount. */
    async sellerPriceBasket(orderId: string, lines: ChosenLine[]): Promise<PricedBasket> {
      return asAgentStep('seller', 'seller', () => inTransaction(db, async (client) => {
        const terms = await client.query<{ discount_bp: number }>(
          `SELECT coalesce(b.discount_bp, t.discount_bp) AS discount_bp
           FROM orders o JOIN buyers b ON b.id = o.buyer_id JOIN buyer_tiers t ON t.tier = b.tier WHERE o.id = $1 FOR UPDATE OF o`, [orderId]);
        const discountBp = terms.rows[0]?.discount_bp ?? 0;
        const existing = await client.query('SELECT 1 FROM order_lines WHERE order_id = $1 LIMIT 1', [orderId]);
        if (existing.rowCount === 0) {
          const products = await client.query<{ id: number; price_kop: number; consignor_id: number }>(
            'SELECT id, price_kop, consignor_id FROM products WHERE id = ANY($1)', [lines.map((l) => l.productId)]);
          const byId = new Map(products.rows.map((p) => [p.id, p]));
          const priced = priceLines(lines.map((l) => ({ unitPriceKop: byId.get(l.productId)!.price_kop, qty: l.qty })), discountBp);
          for (const [i, line] of lines.entries()) {
            const product = byId.get(line.productId)!;
            await client.query(
              `INSERT INTO order_lines (order_id, line_no, requested_product_id, product_id, consignor_id, qty, unit_price_kop, discount_kop, substitution_reason)
               VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
              [orderId, line.lineNo, line.requestedProductId, line.productId, product.consignor_id, line.qty,
                product.price_kop, priced[i]!.discountKop, line.substitutionReason ?? null]);
          }
          const subtotal = priced.reduce((s, l) => s + l.grossKop, 0);
          const discount = priced.reduce((s, l) => s + l.discountKop, 0);
          await client.query(
            `UPDATE orders SET subtotal_kop = $2, discount_kop = $3, status = 'priced', updated_at = now() WHERE id = $1`,
            [orderId, subtotal, discount]);
        }
        const rows = await client.query<{ line_no: number; sku: string; name: string; qty: number; unit_price_kop: number; discount_kop: number; requested_sku: string; substituted: boolean }>(
          `SELECT l.line_no, p.sku, p.name, l.qty, l.unit_price_kop, l.discount_kop, rp.sku AS requested_sku, l.product_id <> l.requested_product_id AS substituted
           FROM order_lines l JOIN products p ON p.id = l.product_id JOIN products rp ON rp.id = l.requested_product_id
           WHERE l.order_id = $1 ORDER BY l.line_no`, [orderId]);
        return {
          discountBp,
          subtotalKop: rows.rows.reduce((s, l) => s + l.unit_price_kop * l.qty, 0),
          discountKop: rows.rows.reduce((s, l) => s + l.discount_kop, 0),
          lines: rows.rows.map((l) => ({
            lineNo: l.line_no, sku: l.sku, name: l.name, qty: l.qty, unitPriceKop: l.unit_price_kop, discountKop: l.discount_kop,
            ...(l.substituted ? { substitutedFor: l.requested_sku } : {}),
          })),
        };
      }));
    },

    /**
     * Warehouse: reserves every line per batch, earliest expiry first, never a batch that would
     * expire before delivery. Stock rows are locked in one global order (product, expiry, batch, hub)
     * so concurrent orders queue instead of deadlocking or overselling.
     */
    async warehouseReserve(orderId: string): Promise<Reservation> {
      return asAgentStep('warehouse', 'warehouse', async () => {
        await inTransaction(db, async (client) => {
          await client.query('SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [orderId]);
          const already = await client.query(`SELECT 1 FROM reservations WHERE order_id = $1 AND status = 'active' LIMIT 1`, [orderId]);
          if (already.rowCount) return;
          const lines = await client.query<{ line_no: number; product_id: number; qty: number; sku: string }>(
            `SELECT l.line_no, l.product_id, l.qty, p.sku FROM order_lines l JOIN products p ON p.id = l.product_id
             WHERE l.order_id = $1 ORDER BY l.product_id, l.line_no`, [orderId]);
          const shortages: string[] = [];
          for (const line of lines.rows) {
            const stock = await client.query<{ batch_id: number; hub_id: number; free: number }>(
              `SELECT s.batch_id, s.hub_id, s.qty_on_hand - s.qty_reserved AS free
               FROM stock s JOIN batches b ON b.id = s.batch_id
               WHERE b.product_id = $1 AND ${SELLABLE_BATCH}
               ORDER BY b.expiry_date, s.batch_id, s.hub_id FOR UPDATE OF s`, [line.product_id]);
            let remaining = line.qty;
            for (const row of stock.rows) {
              if (remaining === 0) break;
              const take = Math.min(remaining, row.free);
              if (take <= 0) continue;
              remaining -= take;
              await client.query('UPDATE stock SET qty_reserved = qty_reserved + $3, updated_at = now() WHERE batch_id = $1 AND hub_id = $2',
                [row.batch_id, row.hub_id, take]);
              await client.query('INSERT INTO reservations (order_id, line_no, batch_id, hub_id, qty) VALUES ($1,$2,$3,$4,$5)',
                [orderId, line.line_no, row.batch_id, row.hub_id, take]);
              await client.query(`INSERT INTO stock_movements (batch_id, hub_id, kind, qty, reference) VALUES ($1,$2,'reserve',$3,$4)`,
                [row.batch_id, row.hub_id, take, `order:${orderId}`]);
            }
            if (remaining > 0) shortages.push(`${line.sku}: short by ${remaining}`);
          }
          if (shortages.length) {
            // Throwing rolls back every line reserved above: an order is reserved whole or not at all.
            throw nonRetryable(FailureType.OutOfStock, `not enough sellable stock for order ${orderId} (${shortages.join('; ')})`);
          }
          await orderStatus(client, orderId, 'reserved');
        });
        const picks = await db.query<{ hub_code: string; zone: string; batch_code: string; sku: string; name: string; qty: number; expiry: string; storage: string }>(
          `SELECT h.code AS hub_code, coalesce(z.code, 'main') AS zone, b.code AS batch_code, p.sku, p.name, r.qty,
                  to_char(b.expiry_date, 'YYYY-MM-DD') AS expiry, p.storage
           FROM reservations r JOIN batches b ON b.id = r.batch_id JOIN products p ON p.id = b.product_id
           JOIN hubs h ON h.id = r.hub_id JOIN stock s ON s.batch_id = r.batch_id AND s.hub_id = r.hub_id
           LEFT JOIN hub_zones z ON z.id = s.zone_id
           WHERE r.order_id = $1 AND r.status = 'active' ORDER BY h.code, zone, b.expiry_date, p.sku`, [orderId]);
        const boxes = new Map<string, { hubCode: string; box: string; items: { sku: string; qty: number }[] }>();
        const boxFor: Record<string, string> = { ambient: 'standard carton', chilled: 'insulated box with cold packs', frozen: 'frozen box with dry ice' };
        for (const pick of picks.rows) {
          const key = `${pick.hub_code}/${pick.storage}`;
          const box = boxes.get(key) ?? { hubCode: pick.hub_code, box: boxFor[pick.storage] ?? 'standard carton', items: [] };
          const item = box.items.find((i) => i.sku === pick.sku);
          if (item) item.qty += pick.qty;
          else box.items.push({ sku: pick.sku, qty: pick.qty });
          boxes.set(key, box);
        }
        return {
          pickingList: picks.rows.map((p) => ({ hubCode: p.hub_code, zone: p.zone, batchCode: p.batch_code, sku: p.sku, name: p.name, qty: p.qty, expiryDate: p.expiry })),
          packingList: [...boxes.values()],
        };
      });
    },

    /** Logistics: one shipment per hub the reservation draws from, with carrier, route, tracking number and ETA. */
    async logisticsPlanShipments(orderId: string, address: DeliveryAddress): Promise<ShipmentPlan[]> {
      return asAgentStep('logistics', 'logistics', () => inTransaction(db, async (client) => {
        if (address.country !== 'UA') {
          throw nonRetryable(FailureType.Undeliverable, `GREENFOOD delivers within Ukraine only; cannot deliver order ${orderId} to ${address.country}`);
        }
        const groups = await client.query<{ hub_id: number; hub_code: string; hub_city: string; hub_address: string; weight_g: number; cold: boolean; frozen: boolean; tier: string; today: string }>(
          `SELECT h.id AS hub_id, h.code AS hub_code, h.city AS hub_city, h.address AS hub_address,
                  sum(r.qty * p.weight_g)::int AS weight_g, bool_or(p.storage <> 'ambient') AS cold, bool_or(p.storage = 'frozen') AS frozen,
                  min(bu.tier) AS tier, to_char(current_date, 'YYYY-MM-DD') AS today
           FROM reservations r JOIN batches b ON b.id = r.batch_id JOIN products p ON p.id = b.product_id JOIN hubs h ON h.id = r.hub_id
           JOIN orders o ON o.id = r.order_id JOIN buyers bu ON bu.id = o.buyer_id
           WHERE r.order_id = $1 AND r.status = 'active' GROUP BY h.id ORDER BY h.code`, [orderId]);
        for (const g of groups.rows) {
          const km = distanceKm(g.hub_city, address.city) ?? 600;
          const transitDays = (km < 30 ? 1 : km < 400 ? 2 : 3) + (g.frozen ? 0 : 0);
          const [carrier, service] = g.cold
            ? ['Нова пошта', g.frozen ? 'frozen cold-chain' : 'chilled cold-chain']
            : g.weight_g <= 2000 ? ['Укрпошта', 'standard parcel'] : ['Meest', 'parcel'];
          // Tariffs in kopiykas: base + per started kilogram, cold chain costs double; VIP delivery is free.
          const kg = Math.ceil(g.weight_g / 1000);
          const tariff = (carrier === 'Укрпошта' ? 4500 : 6000) + kg * 1000 + (km > 400 ? 2000 : 0);
          const deliveryKop = g.tier === 'vip' ? 0 : g.cold ? tariff * 2 : tariff;
          const trackingNumber = `GF${createHash('sha256').update(`${orderId}/${g.hub_code}`).digest('hex').slice(0, 12).toUpperCase()}`;
          const route = {
            from: { hub: g.hub_code, city: g.hub_city, address: g.hub_address },
            to: { city: address.city, postalCode: address.postalCode },
            distanceKm: km,
            legs: km < 30 ? ['hub → courier → buyer'] : [`hub → ${carrier} sorting centre`, `sorting centre → ${address.city} branch`, 'branch → buyer'],
          };
          await client.query(
            `INSERT INTO shipments (order_id, hub_id, carrier, service, tracking_number, route, weight_g, eta_date, delivery_kop)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) ON CONFLICT (order_id, hub_id) DO NOTHING`,
            [orderId, g.hub_id, carrier, service, trackingNumber, JSON.stringify(route), g.weight_g, addDays(g.today, transitDays), deliveryKop]);
        }
        await orderStatus(client, orderId, 'shipping');
        const rows = await client.query<{ hub_code: string; hub_city: string; carrier: string; service: string; tracking_number: string; eta: string; delivery_kop: number }>(
          `SELECT h.code AS hub_code, h.city AS hub_city, s.carrier, s.service, s.tracking_number, to_char(s.eta_date, 'YYYY-MM-DD') AS eta, s.delivery_kop
           FROM shipments s JOIN hubs h ON h.id = s.hub_id WHERE s.order_id = $1 AND s.status <> 'cancelled' ORDER BY h.code`, [orderId]);
        return rows.rows.map((r) => ({
          hubCode: r.hub_code, hubCity: r.hub_city, carrier: r.carrier, service: r.service, trackingNumber: r.tracking_number, etaDate: r.eta, deliveryKop: r.delivery_kop,
        }));
      }));
    },

    /**
     * Finance: one balanced ledger transaction for the sale — the buyer owes goods + delivery; each
     * consignor is owed its goods net of commission; the platform earns commission and delivery.
     * The unique idempotency key makes a retried activity return the first transaction.
     */
    async financeRecordSale(orderId: string, idempotencyKey: string): Promise<SaleRecord> {
      return asAgentStep('finance', 'finance', () => inTransaction(db, async (client) => {
        await client.query('SELECT 1 FROM orders WHERE id = $1 FOR UPDATE', [orderId]);
        const existing = await client.query<{ id: number }>('SELECT id FROM ledger_transactions WHERE idempotency_key = $1', [idempotencyKey]);
        let txnId = existing.rows[0]?.id;
        const lines = await client.query<{ consignor_id: number; net_kop: number; commission_bp: number }>(
          `SELECT l.consignor_id, (l.unit_price_kop * l.qty - l.discount_kop) AS net_kop, c.commission_bp
           FROM order_lines l JOIN consignors c ON c.id = l.consignor_id WHERE l.order_id = $1 ORDER BY l.line_no`, [orderId]);
        const split = splitSale(lines.rows.map((l) => ({ consignorId: l.consignor_id, netKop: l.net_kop, commissionBp: l.commission_bp })));
        const goodsKop = lines.rows.reduce((s, l) => s + l.net_kop, 0);
        const delivery = await client.query<{ delivery_kop: number }>(
          `SELECT coalesce(sum(delivery_kop), 0)::bigint AS delivery_kop FROM shipments WHERE order_id = $1 AND status <> 'cancelled'`, [orderId]);
        const deliveryKop = delivery.rows[0]?.delivery_kop ?? 0;
        const terms = await client.query<{ buyer_id: number; days: number; due: string }>(
          `SELECT b.id AS buyer_id, coalesce(b.payment_terms_days, t.payment_terms_days) AS days,
                  to_char(current_date + coalesce(b.payment_terms_days, t.payment_terms_days), 'YYYY-MM-DD') AS due
           FROM orders o JOIN buyers b ON b.id = o.buyer_id JOIN buyer_tiers t ON t.tier = b.tier WHERE o.id = $1`, [orderId]);
        const buyer = terms.rows[0]!;
        if (txnId === undefined) {
          const txn = await client.query<{ id: number }>(
            `INSERT INTO ledger_transactions (idempotency_key, kind, order_id, description) VALUES ($1, 'sale', $2, $3) RETURNING id`,
            [idempotencyKey, orderId, `Sale of order ${orderId}`]);
          txnId = txn.rows[0]!.id;
          const postings: [string, number | null, number | null, number][] = [
            ['buyer_receivable', null, buyer.buyer_id, goodsKop + deliveryKop],
            ['platform_commission', null, null, -split.commissionKop],
            ...split.payables.map((p): [string, number | null, number | null, number] => ['consignor_payable', p.consignorId, null, -p.amountKop]),
            ['delivery_revenue', null, null, -deliveryKop],
          ];
          for (const [account, consignorId, buyerId, amount] of postings) {
            if (amount === 0) continue;
            await client.query('INSERT INTO ledger_postings (txn_id, account, consignor_id, buyer_id, amount_kop) VALUES ($1,$2,$3,$4,$5)',
              [txnId, account, consignorId, buyerId, amount]);
          }
          await client.query(
            `UPDATE orders SET delivery_kop = $2, total_kop = $3, payment_due_date = $4, status = 'invoiced', updated_at = now() WHERE id = $1`,
            [orderId, deliveryKop, goodsKop + deliveryKop, buyer.due]);
        }
        return { ledgerTxnId: txnId, totalKop: goodsKop + deliveryKop, deliveryKop, commissionKop: split.commissionKop, paymentDueDate: buyer.due };
      }));
    },

    /** Customer Care: stores the confirmation the buyer receives. */
    async careRecordConfirmation(orderId: string, message: string): Promise<void> {
      await asAgentStep('customer_care', 'customer_care', async () => {
        await db.query(`UPDATE orders SET confirmation_message = $2, status = 'confirmed', updated_at = now() WHERE id = $1`, [orderId, message]);
      });
    },

    // ---- compensations: each is idempotent, so a retried or repeated saga changes nothing twice ----

    async compensateReverseSale(orderId: string, saleKey: string): Promise<void> {
      await inTransaction(db, async (client) => {
        const sale = await client.query<{ id: number }>('SELECT id FROM ledger_transactions WHERE idempotency_key = $1', [saleKey]);
        const saleId = sale.rows[0]?.id;
        if (saleId === undefined) return;
        const reversal = await client.query<{ id: number }>(
          `INSERT INTO ledger_transactions (idempotency_key, kind, order_id, reverses_id, description)
           VALUES ($1, 'sale_reversal', $2, $3, $4) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
          [`${saleKey}:reversal`, orderId, saleId, `Reversal of sale ${orderId}: order cancelled`]);
        const reversalId = reversal.rows[0]?.id;
        if (reversalId === undefined) return;
        await client.query(
          `INSERT INTO ledger_postings (txn_id, account, consignor_id, buyer_id, amount_kop)
           SELECT $2, account, consignor_id, buyer_id, -amount_kop FROM ledger_postings WHERE txn_id = $1`, [saleId, reversalId]);
      });
    },

    async compensateCancelShipments(orderId: string): Promise<void> {
      await db.query(`UPDATE shipments SET status = 'cancelled' WHERE order_id = $1 AND status = 'created'`, [orderId]);
    },

    async compensateReleaseReservations(orderId: string): Promise<void> {
      await inTransaction(db, async (client) => {
        const released = await client.query<{ batch_id: number; hub_id: number; qty: number }>(
          `UPDATE reservations SET status = 'released', released_at = now() WHERE order_id = $1 AND status = 'active'
           RETURNING batch_id, hub_id, qty`, [orderId]);
        for (const r of released.rows.sort((a, b) => a.batch_id - b.batch_id || a.hub_id - b.hub_id)) {
          await client.query('UPDATE stock SET qty_reserved = qty_reserved - $3, updated_at = now() WHERE batch_id = $1 AND hub_id = $2',
            [r.batch_id, r.hub_id, r.qty]);
          await client.query(`INSERT INTO stock_movements (batch_id, hub_id, kind, qty, reference, reason) VALUES ($1,$2,'release',$3,$4,'order cancelled')`,
            [r.batch_id, r.hub_id, r.qty, `order:${orderId}`]);
        }
      });
    },

    async compensateCancelOrder(orderId: string, reason: string): Promise<void> {
      await db.query(`UPDATE orders SET status = 'cancelled', cancel_reason = $2, updated_at = now() WHERE id = $1 AND status <> 'cancelled'`,
        [orderId, reason.slice(0, 500)]);
    },
  };
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;
