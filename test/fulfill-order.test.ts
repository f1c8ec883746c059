import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startFulfillOrder } from '../src/orders/client';
import type { FulfillOrderInput } from '../src/orders/contract';
import { anyBuyer, createTestProduct, ledgerSnapshot, orderInput, startPlatform, stockOf, type Platform } from './harness';

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof WorkflowFailedError, `expected the workflow to fail, got ${String(err)}`);
  assert.ok(err.cause instanceof ApplicationFailure, `expected an application failure, got ${String(err.cause)}`);
  return err.cause;
}

async function run(platform: Platform, input: FulfillOrderInput) {
  const { handle } = await startFulfillOrder(platform.client, input);
  return handle.result();
}

describe('fulfill_order crew', () => {
  let platform: Platform;
  before(async () => { platform = await startPlatform(); });
  after(async () => { await platform.stop(); });

  test('happy path: reservation, shipment with tracking number and a balanced ledger transaction', async () => {
    const product = await createTestProduct(platform.db, { qty: 20, priceKop: 12_345 });
    const buyer = await anyBuyer(platform.db, 'b2b');
    const input = orderInput(platform, { buyerCode: buyer, items: [{ sku: product.sku, qty: 3 }] });
    const result = await run(platform, input);

    assert.equal(result.status, 'confirmed');
    assert.equal(result.subtotalKop, 3 * 12_345);
    // The buyer's negotiated discount, else its tier's (B2B: 5 %), rounded half-up to the kopiyka.
    const terms = await platform.db.query<{ bp: number }>(
      'SELECT coalesce(b.discount_bp, t.discount_bp) AS bp FROM buyers b JOIN buyer_tiers t ON t.tier = b.tier WHERE b.code = $1', [buyer]);
    const discountBp = terms.rows[0]!.bp;
    assert.ok(discountBp > 0);
    assert.equal(result.discountKop, Math.floor((3 * 12_345 * discountBp + 5000) / 10_000));
    assert.equal(result.totalKop, result.subtotalKop - result.discountKop + result.deliveryKop);
    assert.deepEqual(await stockOf(platform.db, product.batchId), { onHand: 20, reserved: 3 });

    const reservations = await platform.db.query<{ qty: number; status: string }>('SELECT qty, status FROM reservations WHERE order_id = $1', [input.orderId]);
    assert.deepEqual(reservations.rows, [{ qty: 3, status: 'active' }]);
    const shipments = await platform.db.query<{ tracking_number: string; status: string }>('SELECT tracking_number, status FROM shipments WHERE order_id = $1', [input.orderId]);
    assert.equal(shipments.rows.length, 1);
    assert.match(shipments.rows[0]!.tracking_number, /^GF[0-9A-F]{12}$/);
    assert.equal(result.shipments[0]!.trackingNumber, shipments.rows[0]!.tracking_number);

    const postings = await platform.db.query<{ account: string; amount_kop: number }>(
      `SELECT p.account, p.amount_kop FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.txn_id
       WHERE t.idempotency_key = $1 ORDER BY p.id`, [`order-${input.orderId}:finance`]);
    assert.equal(postings.rows.reduce((s, p) => s + p.amount_kop, 0), 0, 'the sale must balance');
    const byAccount = Object.fromEntries(postings.rows.map((p) => [p.account, p.amount_kop]));
    assert.equal(byAccount.buyer_receivable, result.totalKop);
    assert.ok((byAccount.platform_commission ?? 0) < 0 && (byAccount.consignor_payable ?? 0) < 0);

    const order = await platform.db.query<{ status: string; confirmation_message: string }>('SELECT status, confirmation_message FROM orders WHERE id = $1', [input.orderId]);
    assert.equal(order.rows[0]!.status, 'confirmed');
    assert.ok(order.rows[0]!.confirmation_message.includes(result.shipments[0]!.trackingNumber));

    const steps = await platform.db.query<{ step: string }>(
      `SELECT DISTINCT step FROM agent_runs WHERE workflow_id = $1 AND outcome = 'ok'`, [`order-${input.orderId}`]);
    assert.deepEqual(steps.rows.map((r) => r.step).sort(), ['assistant', 'customer_care', 'finance', 'logistics', 'seller', 'warehouse']);

    // The Web UI shows each agent step as an activity of the crew.
    const history = await platform.client.workflow.getHandle(`order-${input.orderId}`).fetchHistory();
    const activityTypes = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
    assert.deepEqual(activityTypes, ['assistantAcceptOrder', 'sellerCheckAvailability', 'sellerPriceBasket', 'warehouseReserve', 'logisticsPlanShipments', 'financeRecordSale', 'llmGenerate', 'careRecordConfirmation']);
  });

  test('a double submit of the same order id starts nothing twice', async () => {
    const product = await createTestProduct(platform.db, { qty: 10 });
    const input = orderInput(platform, { buyerCode: await anyBuyer(platform.db), items: [{ sku: product.sku, qty: 1 }] });
    const first = await startFulfillOrder(platform.client, input);
    const second = await startFulfillOrder(platform.client, input);
    assert.equal(first.started, true);
    assert.equal(second.started, false);
    await first.handle.result();
    const third = await startFulfillOrder(platform.client, input);
    assert.equal(third.started, false, 'a completed order id is not reused either');
    const runs = await platform.client.workflow.count(`WorkflowId = "order-${input.orderId}"`);
    assert.equal(runs.count, 1);
    assert.deepEqual(await stockOf(platform.db, product.batchId), { onHand: 10, reserved: 1 });
  });

  for (const [name, mutate, type] of [
    ['unknown buyer', (i: FulfillOrderInput) => ({ ...i, buyerCode: 'NO-SUCH-BUYER' }), 'UnknownBuyer'],
    ['unknown product', (i: FulfillOrderInput) => ({ ...i, items: [{ sku: 'NO-SUCH-SKU', qty: 1 }] }), 'UnknownProduct'],
    ['zero quantity', (i: FulfillOrderInput) => ({ ...i, items: [{ sku: i.items[0]!.sku, qty: 0 }] }), 'InvalidInput'],
    ['missing address', (i: FulfillOrderInput) => ({ ...i, deliveryAddress: { ...i.deliveryAddress, street: '' } }), 'InvalidInput'],
  ] as const) {
    test(`invalid input (${name}) fails with a typed non-retryable failure and writes nothing`, async () => {
      const product = await createTestProduct(platform.db, { qty: 5 });
      const input = mutate(orderInput(platform, { buyerCode: await anyBuyer(platform.db), items: [{ sku: product.sku, qty: 1 }] }));
      const before = await ledgerSnapshot(platform.db);
      const failure = await failureOf(run(platform, input));
      assert.equal(failure.type, type);
      assert.equal(failure.nonRetryable, true);
      const orders = await platform.db.query('SELECT 1 FROM orders WHERE id = $1', [input.orderId]);
      assert.equal(orders.rowCount, 0);
      assert.deepEqual(await ledgerSnapshot(platform.db), before);
      assert.deepEqual(await stockOf(platform.db, product.batchId), { onHand: 5, reserved: 0 });
    });
  }

  test('undeliverable at the logistics step: the saga releases the reservation and cancels the order', async () => {
    const product = await createTestProduct(platform.db, { qty: 7 });
    const input = orderInput(platform, { buyerCode: await anyBuyer(platform.db), items: [{ sku: product.sku, qty: 4 }] });
    input.deliveryAddress = { ...input.deliveryAddress, country: 'PL' };
    const ledgerBefore = await ledgerSnapshot(platform.db);
    const failure = await failureOf(run(platform, input));
    assert.equal(failure.type, 'Undeliverable');
    assert.deepEqual(await stockOf(platform.db, product.batchId), { onHand: 7, reserved: 0 });
    assert.deepEqual(await ledgerSnapshot(platform.db), ledgerBefore);
    const reservations = await platform.db.query<{ status: string }>('SELECT status FROM reservations WHERE order_id = $1', [input.orderId]);
    assert.deepEqual(reservations.rows, [{ status: 'released' }]);
    const movements = await platform.db.query<{ kind: string; qty: number }>(
      'SELECT kind, qty FROM stock_movements WHERE reference = $1 ORDER BY id', [`order:${input.orderId}`]);
    assert.deepEqual(movements.rows, [{ kind: 'reserve', qty: 4 }, { kind: 'release', qty: 4 }]);
    const order = await platform.db.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [input.orderId]);
    assert.equal(order.rows[0]!.status, 'cancelled');
  });

  test('short stock without substitutes allowed fails OutOfStock and leaves stock and ledger as before', async () => {
    const product = await createTestProduct(platform.db, { qty: 2 });
    const input = orderInput(platform, { buyerCode: await anyBuyer(platform.db), items: [{ sku: product.sku, qty: 3 }], allowSubstitutes: false });
    const ledgerBefore = await ledgerSnapshot(platform.db);
    const failure = await failureOf(run(platform, input));
    assert.equal(failure.type, 'OutOfStock');
    assert.deepEqual(await stockOf(platform.db, product.batchId), { onHand: 2, reserved: 0 });
    assert.deepEqual(await ledgerSnapshot(platform.db), ledgerBefore);
  });

  test('a short line gets a same-category substitute chosen among the candidates code supplies', async () => {
    const category = await platform.db.query<{ code: string }>(`SELECT c.code FROM categories c JOIN products p ON p.category_id = c.id WHERE p.storage = 'ambient' GROUP BY c.code ORDER BY count(*) DESC LIMIT 1`);
    const product = await createTestProduct(platform.db, { qty: 1, category: category.rows[0]!.code });
    const input = orderInput(platform, { buyerCode: await anyBuyer(platform.db), items: [{ sku: product.sku, qty: 2 }] });
    const result = await run(platform, input);
    const line = result.lines[0]!;
    assert.equal(line.substitutedFor, product.sku);
    assert.notEqual(line.sku, product.sku);
    const sameCategory = await platform.db.query(
      `SELECT 1 FROM products a JOIN products b ON a.category_id = b.category_id WHERE a.sku = $1 AND b.sku = $2`, [product.sku, line.sku]);
    assert.equal(sameCategory.rowCount, 1);
    assert.deepEqual(await stockOf(platform.db, product.batchId), { onHand: 1, reserved: 0 });
  });

  test('50 concurrent orders for 10 units: exactly 10 sold, stock never negative', async () => {
    const product = await createTestProduct(platform.db, { qty: 10 });
    const buyer = await anyBuyer(platform.db);
    const inputs = Array.from({ length: 50 }, () => orderInput(platform, { buyerCode: buyer, items: [{ sku: product.sku, qty: 1 }], allowSubstitutes: false }));
    const outcomes = await Promise.allSettled(inputs.map((input) => run(platform, input)));
    const confirmed = outcomes.filter((o) => o.status === 'fulfilled');
    const failed = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    assert.equal(confirmed.length, 10);
    for (const reason of failed) {
      assert.ok(reason instanceof WorkflowFailedError && reason.cause instanceof ApplicationFailure && reason.cause.type === 'OutOfStock', String(reason));
    }
    assert.deepEqual(await stockOf(platform.db, product.batchId), { onHand: 10, reserved: 10 });
    const reserved = await platform.db.query<{ qty: number }>(`SELECT coalesce(sum(qty), 0)::int AS qty FROM reservations WHERE batch_id = $1 AND status = 'active'`, [product.batchId]);
    assert.equal(reserved.rows[0]!.qty, 10);
    const sales = await platform.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ledger_transactions WHERE kind = 'sale' AND order_id = ANY($1)`, [inputs.map((i) => i.orderId)]);
    assert.equal(sales.rows[0]!.n, 10);
  });

  for (const mode of ['malformed', 'error'] as const) {
    test(`LLM ${mode === 'malformed' ? 'returning malformed JSON' : 'failing'}: the crew completes with the fallback and journals it`, async () => {
      const product = await createTestProduct(platform.db, { qty: 5 });
      const input = orderInput(platform, { buyerCode: await anyBuyer(platform.db), items: [{ sku: product.sku, qty: 1 }], language: 'uk' });
      platform.sim.setFaults({ mode });
      try {
        const result = await run(platform, input);
        assert.equal(result.status, 'confirmed');
        assert.deepEqual(result.fallbacks, ['customer_care']);
        assert.ok(result.confirmationMessage.includes('підтверджено'));
        assert.ok(result.confirmationMessage.includes(result.shipments[0]!.trackingNumber));
      } finally {
        platform.sim.setFaults({ mode: 'none' });
      }
      const journal = await platform.db.query<{ outcome: string; n: number }>(
        `SELECT outcome, count(*)::int AS n FROM agent_runs WHERE workflow_id = $1 AND step = 'customer_care' AND kind = 'llm' GROUP BY outcome ORDER BY outcome`,
        [`order-${input.orderId}`]);
      const counts = Object.fromEntries(journal.rows.map((r) => [r.outcome, r.n]));
      assert.equal(counts.fallback, 1);
      assert.equal(counts[mode === 'malformed' ? 'invalid_output' : 'error'], 3, 'three attempts before falling back');
    });
  }
});
