import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { startFulfillOrder } from '../src/orders/client';
import type { FulfillOrderInput } from '../src/orders/contract';
import { anyBuyer, createTestProduct, orderInput, startPlatform, type Platform } from './harness';

/**
 * Priority and fairness as the Temporal server applies them: one GPU slot (a pool of parallelism
 * 1 with slow generations), a backlog of other work, then the work that must not wait behind it.
 * The order in which the slot served LLM calls is the order of their journal rows.
 */
describe('scheduling on a saturated GPU pool', () => {
  let platform: Platform;
  before(async () => { platform = await startPlatform({ simParallel: 1, simLatencyMs: 250 }); });
  after(async () => { await platform.stop(); });

  /** When a crew's LLM call was scheduled and when the GPU slot started it, from its history. */
  async function llmTimes(handle: WorkflowHandle): Promise<{ scheduled: number; started: number }> {
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'llmGenerate');
    const started = events.find((e) => e.activityTaskStartedEventAttributes && String(e.activityTaskStartedEventAttributes.scheduledEventId) === String(scheduled?.eventId));
    const ms = (e: typeof scheduled) => Number(e?.eventTime?.seconds ?? 0) * 1000 + Math.floor((e?.eventTime?.nanos ?? 0) / 1e6);
    assert.ok(scheduled && started, `${handle.workflowId} ran its LLM call`);
    return { scheduled: ms(scheduled), started: ms(started) };
  }

  /**
   * Of the calls already waiting when `late` was scheduled, how many it overtook — and how many
   * there were. Measured from the moment it was scheduled, so its own agent steps do not count.
   */
  async function overtaking(backlog: WorkflowHandle[], late: WorkflowHandle): Promise<{ waiting: number; overtaken: number }> {
    const mine = await llmTimes(late);
    const others = await Promise.all(backlog.map(llmTimes));
    const waiting = others.filter((o) => o.scheduled < mine.scheduled && o.started > mine.scheduled);
    return { waiting: waiting.length, overtaken: waiting.filter((o) => o.started > mine.started).length };
  }

  async function waitForLlmBacklog(workflowIds: string[], atLeast: number) {
    // Every crew of the flood has written its sale, so its LLM call is scheduled (queued or running).
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const r = await platform.db.query<{ n: number }>(
        `SELECT count(DISTINCT workflow_id)::int AS n FROM agent_runs WHERE step = 'finance' AND outcome = 'ok' AND workflow_id = ANY($1)`, [workflowIds]);
      if (r.rows[0]!.n >= atLeast) return;
      await sleep(100);
    }
    throw new Error('the flood never reached its LLM step');
  }

  async function start(inputs: FulfillOrderInput[]) {
    return Promise.all(inputs.map(async (input) => (await startFulfillOrder(platform.client, input)).handle));
  }

  test('a VIP crew is served before background work already queued for the GPU', async () => {
    const product = await createTestProduct(platform.db, { qty: 100 });
    const buyer = await anyBuyer(platform.db);
    const flood = await start(Array.from({ length: 8 }, () => orderInput(platform, { buyerCode: buyer, items: [{ sku: product.sku, qty: 1 }], priority: 'background' })));
    await waitForLlmBacklog(flood.map((h) => h.workflowId), 8);
    const [vip] = await start([orderInput(platform, { buyerCode: await anyBuyer(platform.db, 'vip'), items: [{ sku: product.sku, qty: 1 }], priority: 'vip' })]);
    await Promise.all([...flood, vip!].map((h) => h.result()));

    const { waiting, overtaken } = await overtaking(flood, vip!);
    assert.ok(waiting >= 3, `the GPU had a backlog when the VIP call arrived (${waiting} waiting)`);
    // Priority 1 before 5: the VIP call is the next one the slot takes (one may already be handed over).
    assert.ok(overtaken >= waiting - 1, `VIP overtook ${overtaken} of ${waiting} queued background calls`);
  });

  test('a consignor flooding the pool does not starve another consignor’s order beyond a bound', async () => {
    const flooder = await createTestProduct(platform.db, { qty: 100, consignorCode: 'C002' });
    const other = await createTestProduct(platform.db, { qty: 10, consignorCode: 'C003' });
    const buyer = await anyBuyer(platform.db);
    const flood = await start(Array.from({ length: 10 }, () => orderInput(platform, { buyerCode: buyer, items: [{ sku: flooder.sku, qty: 1 }] })));
    await waitForLlmBacklog(flood.map((h) => h.workflowId), 10);
    const [steady] = await start([orderInput(platform, { buyerCode: buyer, items: [{ sku: other.sku, qty: 1 }] })]);
    await Promise.all([...flood, steady!].map((h) => h.result()));

    const { waiting, overtaken } = await overtaking(flood, steady!);
    assert.ok(waiting >= 3, `the GPU had a backlog when the other consignor's call arrived (${waiting} waiting)`);
    // Same priority, different fairness keys: the server alternates between keys instead of
    // draining C002's queued calls first, so at most a couple of them go before it.
    assert.ok(overtaken >= waiting - 2, `the other consignor's call overtook ${overtaken} of ${waiting} queued calls of the flooder`);
  });
});
