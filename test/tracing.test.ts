/**
 * One trace per crew: the client's start span is the root, the workflow run its child, each agent
 * step (StartActivity → RunActivity → the agent's own step span) and the LLM call below it, with
 * pool, model and tokens as attributes. Spans go to an in-memory exporter (OTLP in production).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startFulfillOrder } from '../src/orders/client';
import { installTracing } from '../src/observability/tracing';
import { anyBuyer, createTestProduct, orderInput, startPlatform, type Platform } from './harness';
import { eventually } from './observability-fixtures';

const AGENT_STEPS: [activity: string, step: string][] = [
  ['assistantAcceptOrder', 'assistant.accept_order'],
  ['sellerCheckAvailability', 'seller.check_availability'],
  ['sellerPriceBasket', 'seller.price_basket'],
  ['warehouseReserve', 'warehouse.reserve'],
  ['logisticsPlanShipments', 'logistics.plan_shipments'],
  ['financeRecordSale', 'finance.record_sale'],
  ['llmGenerate', 'llm.generate'],
  ['careRecordConfirmation', 'customer_care.record_confirmation'],
];

describe('OpenTelemetry trace of a fulfill_order crew', () => {
  const exporter = new InMemorySpanExporter();
  let platform: Platform;
  let spans: ReadableSpan[];
  let workflowId: string;

  before(async () => {
    const tracing = installTracing({ serviceName: 'greenfood-test', exporter });
    assert.ok(tracing, 'tracing is on when an exporter is given');
    platform = await startPlatform({ observability: {} });
    const product = await createTestProduct(platform.db, { qty: 5 });
    const input = orderInput(platform, { buyerCode: await anyBuyer(platform.db), items: [{ sku: product.sku, qty: 1 }] });
    const { handle } = await startFulfillOrder(platform.client, input);
    workflowId = handle.workflowId;
    await handle.result();
    // Workflow spans leave the sandbox through a sink right after the final workflow task.
    spans = await eventually(async () => {
      const all = exporter.getFinishedSpans();
      const run = all.find((s) => s.name === 'RunWorkflow:fulfillOrder' && s.attributes.workflowId === workflowId);
      assert.ok(run, 'the workflow span was exported');
      return all.filter((s) => s.spanContext().traceId === run.spanContext().traceId);
    });
  });

  after(async () => { await platform?.stop(); });

  const one = (name: string): ReadableSpan => {
    const found = spans.filter((s) => s.name === name);
    assert.equal(found.length, 1, `exactly one ${name} span in the crew's trace (got ${found.length}: ${spans.map((s) => s.name).join(', ')})`);
    return found[0]!;
  };
  const isChild = (child: ReadableSpan, parent: ReadableSpan) =>
    assert.equal(child.parentSpanId, parent.spanContext().spanId, `${child.name} must be a child of ${parent.name}`);

  test('the client start span is the root and the workflow run is its child', () => {
    const start = one('StartWorkflow:fulfillOrder');
    assert.equal(start.parentSpanId, undefined, 'the crew trace starts at the client');
    isChild(one('RunWorkflow:fulfillOrder'), start);
    assert.equal(new Set(spans.map((s) => s.spanContext().traceId)).size, 1);
  });

  test('every agent step: StartActivity (workflow) → RunActivity (worker) → the agent step span, in crew order', () => {
    const run = one('RunWorkflow:fulfillOrder');
    const stepSpans: ReadableSpan[] = [];
    for (const [activity, step] of AGENT_STEPS) {
      const scheduled = one(`StartActivity:${activity}`);
      const executed = one(`RunActivity:${activity}`);
      const own = one(step);
      isChild(scheduled, run);
      isChild(executed, scheduled);
      isChild(own, executed);
      assert.equal(own.attributes['greenfood.crew'], 'fulfill_order');
      assert.equal(own.attributes['greenfood.workflow_id'], workflowId);
      assert.equal(own.attributes['greenfood.outcome'], 'ok');
      stepSpans.push(own);
    }
    const starts = stepSpans.map((s) => s.startTime[0] * 1e9 + s.startTime[1]);
    assert.deepEqual(starts, [...starts].sort((a, b) => a - b), 'steps start in crew order');
  });

  test('the LLM call carries pool, model and tokens', () => {
    const llm = one('llm.generate');
    assert.equal(llm.attributes['greenfood.agent'], 'customer_care');
    assert.equal(llm.attributes['greenfood.llm.pool'], platform.llmPool);
    assert.equal(llm.attributes['greenfood.llm.task'], 'order_confirmation');
    assert.equal(llm.attributes['gen_ai.response.model'], 'qwen3:8b');
    assert.equal(llm.attributes['gen_ai.system'], 'ollama');
    assert.ok(Number(llm.attributes['gen_ai.usage.input_tokens']) > 0);
    assert.ok(Number(llm.attributes['gen_ai.usage.output_tokens']) > 0);
  });
});
