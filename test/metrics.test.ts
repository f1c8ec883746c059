/**
 * `/metrics` of a worker process after real crews: agent, LLM, crew and business series with exact
 * counts, bounded labels (no order ids), SDK runtime metrics on their own port, queue depth gauges.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { startFulfillOrder } from '../src/orders/client';
import type { FulfillOrderInput } from '../src/orders/contract';
import { initProcessMetrics, recordSettlementApproved, recordSettlementProposed } from '../src/observability/metrics';
import { startMetricsServer, type MetricsServer } from '../src/observability/metrics-server';
import { startQueueDepthPoller } from '../src/observability/queue-depth';
import { AGENTS_TASK_QUEUE, CREWS_TASK_QUEUE, llmTaskQueue } from '../src/shared/temporal';
import { anyBuyer, createTestProduct, orderInput, startPlatform, type Platform } from './harness';
import { eventually, freePort, parseMetrics, scrape, total, type Sample } from './observability-fixtures';

const CREW = { crew: 'fulfill_order' };

describe('worker /metrics after fulfill_order crews', () => {
  let platform: Platform;
  let server: MetricsServer;
  let sdkPort: number;
  const orderIds: string[] = [];

  async function run(input: FulfillOrderInput): Promise<string> {
    orderIds.push(input.orderId);
    const { handle } = await startFulfillOrder(platform.client, input);
    try {
      return (await handle.result()).status;
    } catch (err) {
      assert.ok(err instanceof WorkflowFailedError);
      return 'failed';
    }
  }

  async function samples(): Promise<Sample[]> {
    return parseMetrics(await scrape(server.url)).samples;
  }

  before(async () => {
    sdkPort = await freePort();
    platform = await startPlatform({
      observability: { runtime: { telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${sdkPort}`, useSecondsForDurations: true } } } } },
    });
    initProcessMetrics('test');
    server = await startMetricsServer({ port: 0 });

    const product = await createTestProduct(platform.db, { qty: 10, priceKop: 5_000 });
    const scarce = await createTestProduct(platform.db, { qty: 1 });
    const buyer = await anyBuyer(platform.db);
    // A: happy VIP order. B: the LLM answers garbage 3 times, so Customer Care uses its fallback.
    // C: not enough stock and no substitutes allowed. D: an unknown buyer, refused by the Assistant.
    assert.equal(await run(orderInput(platform, { buyerCode: buyer, priority: 'vip', items: [{ sku: product.sku, qty: 2 }] })), 'confirmed');
    platform.sim.setFaults({ mode: 'malformed', count: 3 });
    assert.equal(await run(orderInput(platform, { buyerCode: buyer, items: [{ sku: product.sku, qty: 1 }] })), 'confirmed');
    platform.sim.setFaults({ mode: 'none' });
    assert.equal(await run(orderInput(platform, { buyerCode: buyer, allowSubstitutes: false, items: [{ sku: scarce.sku, qty: 5 }] })), 'failed');
    assert.equal(await run(orderInput(platform, { buyerCode: 'NO-SUCH-BUYER', items: [{ sku: product.sku, qty: 1 }] })), 'failed');
  });

  after(async () => {
    await server?.close();
    await platform?.stop();
  });

  test('agent series: requests, failures by type, latency and no agent left active', async () => {
    const s = await samples();
    assert.equal(total(s, 'greenfood_agent_requests_total', { ...CREW, agent: 'assistant', activity: 'assistantAcceptOrder' }), 4);
    assert.equal(total(s, 'greenfood_agent_requests_total', { ...CREW, agent: 'warehouse', activity: 'warehouseReserve' }), 2);
    assert.equal(total(s, 'greenfood_agent_requests_total', { ...CREW, agent: 'customer_care', activity: 'llmGenerate' }), 4);
    assert.equal(total(s, 'greenfood_agent_requests_total', { ...CREW, agent: 'saga', activity: 'compensateCancelOrder' }), 1);
    assert.equal(total(s, 'greenfood_agent_failures_total', { ...CREW, agent: 'assistant', failure_type: 'UnknownBuyer' }), 1);
    assert.equal(total(s, 'greenfood_agent_failures_total', { ...CREW, agent: 'customer_care', failure_type: 'LlmOutputInvalid' }), 3);
    assert.equal(total(s, 'greenfood_agent_latency_seconds_count', { ...CREW, agent: 'warehouse' }), 2);
    assert.ok(total(s, 'greenfood_agent_latency_seconds_sum', { ...CREW, agent: 'warehouse' }) > 0);
    assert.equal(total(s, 'greenfood_agents_active'), 0);
    assert.ok(total(s, 'greenfood_activity_schedule_to_start_seconds_count', { task_queue: AGENTS_TASK_QUEUE }) >= 10);
    assert.ok(s.every((x) => x.labels.worker === 'test'), 'every series names its worker process');
  });

  test('LLM series: calls by provider, pool, model and outcome; tokens; latency; fallbacks; pool slots', async () => {
    const s = await samples();
    const pool = { pool: platform.llmPool, provider: 'ollama', model: 'qwen3:8b' };
    assert.equal(total(s, 'greenfood_llm_requests_total', { ...pool, agent: 'customer_care', outcome: 'ok' }), 1);
    assert.equal(total(s, 'greenfood_llm_requests_total', { ...pool, agent: 'customer_care', outcome: 'invalid_output' }), 3);
    assert.ok(total(s, 'greenfood_llm_tokens_total', { ...pool, direction: 'in' }) > 0);
    assert.ok(total(s, 'greenfood_llm_tokens_total', { ...pool, direction: 'out' }) > 0);
    assert.equal(total(s, 'greenfood_llm_latency_seconds_count', pool), 4);
    assert.equal(total(s, 'greenfood_llm_fallbacks_total', { ...CREW, agent: 'customer_care', kind: 'deterministic' }), 1);
    assert.equal(total(s, 'greenfood_llm_pool_slots', { pool: platform.llmPool }), 8);
    assert.equal(total(s, 'greenfood_llm_in_flight', { pool: platform.llmPool }), 0);
  });

  test('crew and business series: completions per tier and outcome, orders fulfilled, reservations failed', async () => {
    const s = await eventually(async () => {
      const x = await samples();
      assert.equal(total(x, 'greenfood_crews_completed_total', CREW), 4);
      return x;
    });
    assert.equal(total(s, 'greenfood_crews_started_total', CREW), 4);
    assert.equal(total(s, 'greenfood_crews_completed_total', { ...CREW, tier: 'vip', outcome: 'completed' }), 1);
    assert.equal(total(s, 'greenfood_crews_completed_total', { ...CREW, tier: 'regular', outcome: 'completed' }), 1);
    assert.equal(total(s, 'greenfood_crews_completed_total', { ...CREW, tier: 'regular', outcome: 'failed' }), 2);
    assert.equal(total(s, 'greenfood_crew_duration_seconds_count', { ...CREW, outcome: 'completed' }), 2);
    assert.equal(total(s, 'greenfood_orders_fulfilled_total', { tier: 'vip' }), 1);
    assert.equal(total(s, 'greenfood_orders_fulfilled_total', { tier: 'regular' }), 1);
    assert.equal(total(s, 'greenfood_stock_reservations_failed_total', { reason: 'out_of_stock' }), 1);
  });

  test('settlement counters add up proposed and approved payouts in kopiykas', async () => {
    const before = await samples();
    recordSettlementProposed(120_050);
    recordSettlementProposed(80_000);
    recordSettlementApproved(120_050);
    const s = await samples();
    const delta = (name: string) => total(s, name) - total(before, name);
    assert.equal(delta('greenfood_settlements_proposed_total'), 2);
    assert.equal(delta('greenfood_settlement_proposed_kop_total'), 200_050);
    assert.equal(delta('greenfood_settlements_approved_total'), 1);
    assert.equal(delta('greenfood_payouts_kop_total'), 120_050);
  });

  test('labels stay bounded: no order id, buyer or consignor id anywhere in /metrics', async () => {
    const text = await scrape(server.url);
    for (const id of orderIds) assert.ok(!text.includes(id), `order id ${id} must not be a label value`);
    const labelNames = new Set(parseMetrics(text).samples.flatMap((x) => Object.keys(x.labels)));
    for (const forbidden of ['order_id', 'orderId', 'consignor_id', 'consignorId', 'buyer', 'workflow_id', 'run_id']) {
      assert.ok(!labelNames.has(forbidden), `label ${forbidden} must not exist`);
    }
  });

  test('the Temporal SDK exposes its runtime metrics on its own Prometheus port', async () => {
    const text = await scrape(`http://127.0.0.1:${sdkPort}/metrics`);
    mkdirSync(path.join(__dirname, '..', 'results'), { recursive: true });
    writeFileSync(path.join(__dirname, '..', 'results', 'sdk-metrics.txt'), text);
    const s = parseMetrics(text).samples;
    assert.ok(total(s, 'temporal_workflow_completed', { task_queue: CREWS_TASK_QUEUE }) >= 2, 'completed crews');
    assert.ok(total(s, 'temporal_activity_execution_latency_count', { task_queue: AGENTS_TASK_QUEUE }) >= 10, 'agent tool executions');
    assert.ok(total(s, 'temporal_activity_schedule_to_start_latency_count', { task_queue: llmTaskQueue(platform.llmPool) }) >= 4);
  });

  test('queue depth: DescribeTaskQueue stats become gauges, with the live pollers', async () => {
    const poller = startQueueDepthPoller({
      service: platform.client.workflowService,
      namespace: 'default',
      queues: [{ name: AGENTS_TASK_QUEUE, type: 'activity' }, { name: CREWS_TASK_QUEUE, type: 'workflow' }, { name: 'greenfood-nobody-polls', type: 'activity' }],
      intervalMs: 60_000,
    });
    await poller.pollOnce();
    poller.stop();
    const s = await samples();
    assert.equal(total(s, 'greenfood_task_queue_backlog', { task_queue: AGENTS_TASK_QUEUE, task_type: 'activity' }), 0, 'all agent work is done');
    assert.ok(s.some((x) => x.name === 'greenfood_task_queue_backlog_age_seconds' && x.labels.task_queue === CREWS_TASK_QUEUE));
    assert.ok(total(s, 'greenfood_task_queue_pollers', { task_queue: AGENTS_TASK_QUEUE }) >= 1, 'this process polls the agents queue');
    assert.equal(total(s, 'greenfood_task_queue_pollers', { task_queue: 'greenfood-nobody-polls' }), 0);
  });
});
