import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { createDb } from '../src/db/pool';
import { startFulfillOrder } from '../src/orders/client';
import type { PriorityTier } from '../src/shared/priority';

/** A steady trickle of realistic orders so the Web UI has crews to show; one every few seconds. */
async function main() {
  const config = loadConfig();
  const intervalMs = Number(process.env.DEMO_ORDER_INTERVAL_MS ?? 4000);
  const db = createDb(config.DATABASE_URL, 2, 'greenfood-demo');
  const client = new Client({ connection: await Connection.connect({ address: config.TEMPORAL_ADDRESS }), namespace: config.TEMPORAL_NAMESPACE });
  let stopping = false;
  process.on('SIGINT', () => { stopping = true; });
  process.on('SIGTERM', () => { stopping = true; });
  for (let n = 1; !stopping; n++) {
    const buyer = await db.query<{ code: string; tier: string; city: string; name: string; phone: string }>('SELECT code, tier, city, name, phone FROM buyers ORDER BY random() LIMIT 1');
    const items = await db.query<{ sku: string }>(
      `SELECT p.sku FROM products p JOIN batches b ON b.product_id = p.id JOIN stock s ON s.batch_id = b.id
       WHERE b.status = 'in_stock' AND b.expiry_date > current_date + 7 AND s.qty_on_hand - s.qty_reserved > 5
       GROUP BY p.sku ORDER BY random() LIMIT $1`, [1 + (n % 3)]);
    const b = buyer.rows[0];
    if (!b || items.rows.length === 0) { await new Promise((r) => setTimeout(r, intervalMs)); continue; }
    const priority: PriorityTier = b.tier === 'vip' ? 'vip' : n % 5 === 0 ? 'background' : 'regular';
    const orderId = `demo-${Date.now().toString(36)}-${n}`;
    const { handle } = await startFulfillOrder(client, {
      orderId, buyerCode: b.code, priority, language: 'uk',
      items: items.rows.map((r, i) => ({ sku: r.sku, qty: 1 + ((n + i) % 3) })),
      deliveryAddress: { recipient: b.name, phone: b.phone, city: b.city, street: 'вул. Демонстраційна, 1', postalCode: '01001', country: 'UA' },
    });
    handle.result().then(
      (r) => console.log(`demo order ${orderId}: confirmed, ${r.shipments.map((s) => s.trackingNumber).join(', ')}`),
      (e: unknown) => console.log(`demo order ${orderId}: ${e instanceof WorkflowFailedError ? e.cause?.message : String(e)}`),
    );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  await db.end();
  await client.connection.close();
}

main().catch((err: unknown) => { console.error(`demo orders: ${(err as Error).message}`); process.exit(1); });
