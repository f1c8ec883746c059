import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startFulfillOrder } from '../src/orders/client';
import { anyBuyer, beforeActivity, createTestProduct, ledgerSnapshot, orderInput, startPlatform, stockOf, uniqueId, type Platform } from './harness';

/**
 * Failures between steps, staged with an interceptor in front of the real agent tools:
 * another sale takes the stock after the Seller checked it, or a later step fails for good.
 */
describe('fulfill_order saga', () => {
  const staged = { oosOrderId: uniqueId('T-OOS'), careOrderId: uniqueId('T-CARE') };
  let platform: Platform;
  let concurrentSale: () => Promise<void> = async () => {};

  before(async () => {
    platform = await startPlatform({
      agentInterceptors: [
        beforeActivity('warehouseReserve', staged.oosOrderId, () => concurrentSale()),
        beforeActivity('careRecordConfirmation', staged.careOrderId, async () => {
          throw ApplicationFailure.create({ type: 'MessagingUnavailable', message: 'staged: confirmation channel refused the message', nonRetryable: true });
        }),
      ],
    });
  });
  after(async () => { await platform.stop(); });

  test('out of stock at the warehouse step: nothing reserved, stock and ledger exactly as before', async () => {
    const product = await createTestProduct(platform.db, { qty: 6 });
    // Between the Seller's check and the Warehouse's reservation, another channel takes 4 of the 6 units.
    concurrentSale = async () => {
      await platform.db.query('UPDATE stock SET qty_reserved = qty_reserved + 4 WHERE batch_id = $1', [product.batchId]);
    };
    const input = { ...orderInput(platform, { buyerCode: await anyBuyer(platform.db), items: [{ sku: product.sku, qty: 5 }], allowSubstitutes: false }), orderId: staged.oosOrderId };
    const ledgerBefore = await ledgerSnapshot(platform.db);
    const { handle } = await startFulfillOrder(platform.client, input);
    const err = await handle.result().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'OutOfStock');
    assert.deepEqual(await stockOf(platform.db, product.batchId), { onHand: 6, reserved: 4 }, 'only the other sale holds stock');
    assert.deepEqual(await ledgerSnapshot(platform.db), ledgerBefore);
    const reservations = await platform.db.query('SELECT 1 FROM reservations WHERE order_id = $1', [input.orderId]);
    assert.equal(reservations.rowCount, 0);
    const order = await platform.db.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [input.orderId]);
    assert.equal(order.rows[0]!.status, 'cancelled');
  });

  test('a failure after Finance reverses the sale, cancels the shipment and releases the stock', async () => {
    const product = await createTestProduct(platform.db, { qty: 9, priceKop: 20_000 });
    const input = { ...orderInput(platform, { buyerCode: await anyBuyer(platform.db), items: [{ sku: product.sku, qty: 2 }] }), orderId: staged.careOrderId };
    const { handle } = await startFulfillOrder(platform.client, input);
    const err = await handle.result().then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'MessagingUnavailable');

    const txns = await platform.db.query<{ kind: string; reverses_id: number | null; id: number }>(
      'SELECT id, kind, reverses_id FROM ledger_transactions WHERE order_id = $1 ORDER BY id', [input.orderId]);
    assert.deepEqual(txns.rows.map((t) => t.kind), ['sale', 'sale_reversal']);
    assert.equal(txns.rows[1]!.reverses_id, txns.rows[0]!.id);
    const perAccount = await platform.db.query<{ account: string; net: number }>(
      `SELECT p.account, sum(p.amount_kop)::bigint AS net FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.txn_id
       WHERE t.order_id = $1 GROUP BY p.account`, [input.orderId]);
    assert.ok(perAccount.rows.length >= 3);
    for (const row of perAccount.rows) assert.equal(row.net, 0, `${row.account} nets to zero after the reversal`);

    const shipments = await platform.db.query<{ status: string }>('SELECT status FROM shipments WHERE order_id = $1', [input.orderId]);
    assert.deepEqual(shipments.rows, [{ status: 'cancelled' }]);
    assert.deepEqual(await stockOf(platform.db, product.batchId), { onHand: 9, reserved: 0 });
    const progress = await handle.query<{ compensations: string[] }>('orderProgress');
    assert.deepEqual(progress.compensations, ['reverse sale', 'cancel shipments', 'release reservations', 'cancel order']);
  });
});
