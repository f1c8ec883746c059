/**
 * Logs of a crew: one JSON line per event from pino, the Temporal SDK's own worker, workflow and
 * activity logs routed into it, each line of the crew carrying its workflow id, run id, crew, agent
 * and trace id, and no buyer phone, address or name anywhere.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runInNewContext } from 'node:vm';
import { after, before, describe, test } from 'node:test';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { WorkflowFailedError } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { startFulfillOrder } from '../src/orders/client';
import type { FulfillOrderInput } from '../src/orders/contract';
import { labelsOf } from '../src/observability/interceptors';
import { createLogger, maskPersonalData, TemporalPinoLogger } from '../src/observability/logger';
import { installTracing } from '../src/observability/tracing';
import { anyBuyer, createTestProduct, orderInput, startPlatform, type Platform } from './harness';
import { eventually } from './observability-fixtures';

type Line = Record<string, unknown>;

function memoryLogger(level: 'debug' | 'info' | 'warn') {
  const raw: string[] = [];
  const logger = createLogger({ level, worker: 'test', destination: { write: (s: string) => { raw.push(s); } } });
  return { logger, raw, lines: () => raw.map((s) => JSON.parse(s) as Line) };
}

// Personal data of the test buyer: none of it may reach a log line, in any spelling.
const PHONE = '+380 67 111-22-33';
const PHONE_DIGITS = '380671112233';
const STREET = 'вул. Секретна, 77';
const RECIPIENT = 'Тарас Конфіденційний';

describe('structured logs of a crew', () => {
  const sink = memoryLogger('debug');
  let platform: Platform;
  let happyId: string;
  let failedId: string;

  async function run(input: FulfillOrderInput): Promise<string> {
    const { handle } = await startFulfillOrder(platform.client, input);
    await handle.result().catch((err: unknown) => assert.ok(err instanceof WorkflowFailedError));
    return handle.workflowId;
  }

  before(async () => {
    installTracing({ serviceName: 'greenfood-test', exporter: new InMemorySpanExporter() });
    platform = await startPlatform({ observability: { runtime: { logger: new TemporalPinoLogger(sink.logger) } } });
    const product = await createTestProduct(platform.db, { qty: 5 });
    const buyer = await anyBuyer(platform.db);
    const address = { recipient: RECIPIENT, phone: PHONE, city: 'Київ', street: STREET, postalCode: '01001', country: 'UA' };
    happyId = await run(orderInput(platform, { buyerCode: buyer, deliveryAddress: address, items: [{ sku: product.sku, qty: 1 }] }));
    // Undeliverable abroad: the failure path logs warnings with error messages about the address.
    failedId = await run(orderInput(platform, { buyerCode: buyer, deliveryAddress: { ...address, country: 'PL' }, items: [{ sku: product.sku, qty: 1 }] }));
    await eventually(async () => assert.ok(sink.lines().some((l) => l.workflowId === failedId && l.msg === 'Workflow failed')));
  });

  after(async () => {
    await platform?.stop();
    // Kept for a person to read (results/ is git-ignored).
    mkdirSync(path.join(__dirname, '..', 'results'), { recursive: true });
    writeFileSync(path.join(__dirname, '..', 'results', 'crew-logs.jsonl'), sink.raw.join(''));
  });

  test('every line is one JSON object with time, level and message', () => {
    assert.ok(sink.raw.length > 20, `expected the crew to log, got ${sink.raw.length} lines`);
    for (const line of sink.lines()) {
      assert.equal(typeof line.time, 'string');
      assert.ok(['trace', 'debug', 'info', 'warn', 'error'].includes(String(line.level)), `level ${String(line.level)}`);
      assert.equal(typeof line.msg, 'string');
      assert.equal(line.worker, 'test');
    }
  });

  test('the SDK logs of the crew (worker, workflow, activity) carry its workflow id, run id and crew', () => {
    const mine = sink.lines().filter((l) => l.workflowId === happyId);
    const messages = new Set(mine.map((l) => l.msg));
    for (const m of ['Workflow started', 'Workflow completed', 'Activity started', 'Activity completed', 'agent step finished']) {
      assert.ok(messages.has(m), `a "${m}" line for ${happyId}`);
    }
    const runIds = new Set(mine.map((l) => l.runId));
    assert.equal(runIds.size, 1, 'one run');
    assert.match(String([...runIds][0]), /^[0-9a-f-]{36}$/);
    for (const l of mine) assert.equal(l.crew, 'fulfill_order', `crew on "${String(l.msg)}"`);
    const workflowLines = mine.filter((l) => l.sdkComponent === 'workflow' || l.msg === 'Workflow started');
    assert.ok(workflowLines.every((l) => l.tier === 'regular'), 'workflow lines carry the priority tier');
  });

  test('agent step lines name the agent, step, outcome and trace id', () => {
    const steps = sink.lines().filter((l) => l.workflowId === happyId && l.msg === 'agent step finished');
    assert.deepEqual(steps.map((l) => l.step), [
      'assistant.accept_order', 'seller.check_availability', 'seller.price_basket', 'warehouse.reserve',
      'logistics.plan_shipments', 'finance.record_sale', 'llm.generate', 'customer_care.record_confirmation',
    ]);
    for (const l of steps) {
      assert.equal(l.outcome, 'ok');
      assert.ok(typeof l.agent === 'string' && l.agent !== 'other', `agent on ${String(l.step)}`);
      assert.match(String(l.trace_id), /^[0-9a-f]{32}$/, 'trace id');
      assert.equal(typeof l.latencyMs, 'number');
    }
    assert.equal(new Set(steps.map((l) => l.trace_id)).size, 1, 'one trace per crew');
    const failed = sink.lines().find((l) => l.workflowId === failedId && l.msg === 'Activity failed');
    assert.ok(failed, 'the failed step is logged');
    assert.equal(failed.agent, 'logistics');
    assert.equal(failed.level, 'warn');
  });

  test('no buyer phone, street or name in any line', () => {
    const all = sink.raw.join('');
    assert.ok(all.includes(happyId) && all.includes(failedId));
    for (const secret of [PHONE, PHONE_DIGITS, STREET, 'Секретна', RECIPIENT, 'Конфіденційний']) {
      assert.ok(!all.includes(secret), `"${secret}" must not be logged`);
    }
  });

  test('redaction: personal fields are censored by name and phone numbers masked in free text', () => {
    const mem = memoryLogger('info');
    mem.logger.info({ orderId: 'T-1', deliveryAddress: { phone: PHONE, street: STREET }, buyer: { phone: '+380501234567', tier: 'vip' } },
      `buyer called from ${PHONE} and 067 123 45 67`);
    const out = mem.raw.join('');
    for (const secret of [PHONE, STREET, '+380501234567', '067 123 45 67']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    const line = mem.lines()[0]!;
    assert.equal(line.deliveryAddress, '[redacted]');
    assert.deepEqual(line.buyer, { phone: '[redacted]', tier: 'vip' });
    assert.equal(line.orderId, 'T-1', 'business ids stay readable');
    assert.equal(maskPersonalData('order-T-1234-5678 to +380671112233'), 'order-T-1234-5678 to [phone]');
    // SDK lines carry errors, from this realm or the workflow sandbox's; their text is masked too.
    const sdk = memoryLogger('info');
    new TemporalPinoLogger(sdk.logger).warn('Activity failed', { error: new Error(`carrier refused ${PHONE}`), workflowId: 'w1' });
    new TemporalPinoLogger(sdk.logger).warn('Workflow failed', { error: runInNewContext(`new Error('no answer at ${PHONE}')`) as Error });
    const sdkOut = sdk.raw.join('');
    assert.ok(!sdkOut.includes(PHONE) && sdkOut.includes('carrier refused [phone]') && sdkOut.includes('no answer at [phone]'), sdkOut);
  });

  test('log level comes from config; consignor id is a log field of agent steps that have one', () => {
    assert.equal(loadConfig({ LOG_LEVEL: 'warn' }).LOG_LEVEL, 'warn');
    assert.throws(() => loadConfig({ LOG_LEVEL: 'chatty' }));
    const mem = memoryLogger(loadConfig({ LOG_LEVEL: 'warn' }).LOG_LEVEL as 'warn');
    new TemporalPinoLogger(mem.logger).info('dropped');
    new TemporalPinoLogger(mem.logger).warn('kept', { workflowId: 'w' });
    assert.deepEqual(mem.lines().map((l) => l.msg), ['kept']);
    const labels = labelsOf('financeComputeSettlement', 'monthlySettlement', 'greenfood-agents', [{ consignorId: 17, period: '2025-01' }]);
    assert.deepEqual({ crew: labels.crew, agent: labels.agent, consignorId: labels.consignorId, step: labels.step },
      { crew: 'monthly_settlement', agent: 'finance', consignorId: '17', step: 'finance.compute_settlement' });
  });
});
