import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createLlmActivities } from '../src/activities/llm';
import { createRedis } from '../src/db/redis';
import { LlmCache } from '../src/llm/cache';
import type { LlmRequest, LlmResponse, LlmTaskName } from '../src/llm/contract';
import { PoolLoad, poolHealthKey, type PoolHealth } from '../src/llm/pool-health';
import { OllamaProvider } from '../src/llm/providers';
import { chooseRoute, tokenBudgetKey } from '../src/llm/routing';
import { startLlmSimulator, type LlmSimulator } from '../src/llm-sim/server';
import { conversationHandle, sendMessage } from '../src/conversations/client';
import { startFulfillOrder } from '../src/orders/client';
import { createTestBuyer } from './conversation-fixtures';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDb } from '../src/db/pool';
import { anyBuyer, createTestProduct, DATABASE_URL, orderInput, REDIS_URL, startPlatform, uniqueId, type Platform } from './harness';

const health = (pool: string, kind: 'local' | 'cloud', slots: number, inFlight: number, queueDepth = 0): PoolHealth =>
  ({ pool, kind, slots, inFlight, queueDepth, recentLatencyMs: 100, updatedAt: 0 });

describe('routing rule', () => {
  const policy = { localScheduleToStartMs: 5000 };
  test('urgent work goes to the cloud first, then local pools', () => {
    const route = chooseRoute({ tier: 'vip' }, [health('a', 'local', 4, 0), health('cloud', 'cloud', 16, 0)], policy, 0, 0);
    assert.deepEqual(route.choices.map((c) => c.pool), ['cloud', 'a']);
  });
  test('other work goes to the local pool with the least outstanding work per slot, cloud last', () => {
    const pools = [health('busy', 'local', 4, 4, 8), health('idle', 'local', 2, 1), health('cloud', 'cloud', 16, 0)];
    const route = chooseRoute({ tier: 'regular' }, pools, policy, 0, 0);
    assert.deepEqual(route.choices.map((c) => c.pool), ['idle', 'busy', 'cloud']);
    assert.equal(route.choices[0]!.scheduleToStartMs, 5000);
    assert.equal(route.choices[2]!.scheduleToStartMs, undefined, 'the cloud queue may legitimately queue');
  });
  test('no local pool → cloud; nothing healthy → no choice (the step falls back to code)', () => {
    assert.deepEqual(chooseRoute({ tier: 'background' }, [health('cloud', 'cloud', 16, 0)], policy, 0, 0).choices.map((c) => c.pool), ['cloud']);
    assert.deepEqual(chooseRoute({ tier: 'regular' }, [], policy, 0, 0).choices, []);
  });
  test('a spent cloud token budget queues until the next window instead of failing', () => {
    const route = chooseRoute({ tier: 'vip', consignorId: 'C001' }, [health('cloud', 'cloud', 16, 0)], { ...policy, cloudTokensPerMinutePerConsignor: 100 }, 150, 61_000);
    assert.equal(route.waitMs, 59_050);
    assert.deepEqual(route.choices.map((c) => c.pool), ['cloud']);
    assert.equal(chooseRoute({ tier: 'vip', consignorId: 'C001' }, [health('cloud', 'cloud', 16, 0)], { ...policy, cloudTokensPerMinutePerConsignor: 100 }, 99, 61_000).waitMs, 0);
  });
});

describe('router end to end', () => {
  let platform: Platform;
  before(async () => {
    platform = await startPlatform({ localPools: 1, cloudPool: true, routing: { localScheduleToStartMs: 1500, cloudTokensPerMinutePerConsignor: 50, budgetWindowMs: 4000 } });
  });
  after(async () => { await platform.stop(); });

  const cloud = () => platform.pools.find((p) => p.name === 'cloud')!;
  const local = () => platform.pools.find((p) => p.name !== 'cloud')!;

  async function llmJournal(workflowId: string) {
    const rows = await platform.db.query<{ pool: string | null; outcome: string; detail: string | null }>(
      `SELECT pool, outcome, detail FROM agent_runs WHERE workflow_id = $1 AND kind = 'llm' ORDER BY id`, [workflowId]);
    return rows.rows;
  }

  test('regular work is served by the local pool; urgent (VIP) work by the cloud', async () => {
    const product = await createTestProduct(platform.db, { qty: 20 });
    const regular = { ...orderInput(platform, { buyerCode: await anyBuyer(platform.db), items: [{ sku: product.sku, qty: 1 }] }), llmPool: undefined };
    const vip = { ...orderInput(platform, { buyerCode: await anyBuyer(platform.db, 'vip'), items: [{ sku: product.sku, qty: 1 }], priority: 'vip' as const }), llmPool: undefined };
    for (const input of [regular, vip]) await (await startFulfillOrder(platform.client, input)).handle.result();
    assert.deepEqual((await llmJournal(`order-${regular.orderId}`)).map((r) => [r.pool, r.outcome]), [[local().name, 'ok']]);
    assert.deepEqual((await llmJournal(`order-${vip.orderId}`)).map((r) => [r.pool, r.outcome]), [['cloud', 'ok']]);
  });

  test('a cloud token budget spent by a consignor queues its urgent work, which resumes in the next window', async () => {
    const product = await createTestProduct(platform.db, { qty: 5 });
    const consignor = await platform.db.query<{ code: string }>('SELECT c.code FROM consignors c JOIN products p ON p.consignor_id = c.id WHERE p.sku = $1', [product.sku]);
    const key = tokenBudgetKey(platform.redisPrefix, consignor.rows[0]!.code, Date.now(), 4000);
    await platform.redis.set(key, '1000', 'PX', 8000);
    const input = { ...orderInput(platform, { buyerCode: await anyBuyer(platform.db, 'vip'), items: [{ sku: product.sku, qty: 1 }], priority: 'vip' as const }), llmPool: undefined };
    const { handle } = await startFulfillOrder(platform.client, input);
    const result = await handle.result();
    assert.deepEqual(result.fallbacks, [], 'the call waited for budget rather than falling back');
    const history = await handle.fetchHistory();
    const timers = (history.events ?? []).filter((e) => e.timerStartedEventAttributes);
    assert.equal(timers.length, 1, 'the call was queued on a durable timer');
    assert.deepEqual((await llmJournal(handle.workflowId)).map((r) => [r.pool, r.outcome]), [['cloud', 'ok']]);
  });

  // Last: it stops the local pool for good.
  test('a dead local pool: the call waits out schedule-to-start, moves to the cloud, and the hand-over is journaled', async () => {
    const product = await createTestProduct(platform.db, { qty: 5 });
    const pool = local();
    pool.worker.shutdown();
    await pool.done;
    // Let its health reporter notice and withdraw, before staging the stale entry below.
    await sleep(1200);
    // The node died a moment ago: its last health report still looks fresh to the router.
    const stale: PoolHealth = { pool: pool.name, kind: 'local', slots: 8, inFlight: 0, queueDepth: 0, recentLatencyMs: 5, updatedAt: Date.now() };
    await platform.redis.set(poolHealthKey(platform.redisPrefix, pool.name), JSON.stringify(stale), 'PX', 10_000);
    const cloudBefore = cloud().sim.stats().requests;
    const input = { ...orderInput(platform, { buyerCode: await anyBuyer(platform.db), items: [{ sku: product.sku, qty: 1 }] }), llmPool: undefined };
    const result = await (await startFulfillOrder(platform.client, input)).handle.result();
    assert.equal(result.status, 'confirmed');
    assert.deepEqual(result.fallbacks, [], 'the cloud answered; no deterministic fallback');
    assert.equal(cloud().sim.stats().requests, cloudBefore + 1);
    const journal = await llmJournal(`order-${input.orderId}`);
    assert.deepEqual(journal.map((r) => [r.pool, r.outcome]), [[null, 'fallback'], ['cloud', 'ok']]);
    assert.match(journal[0]!.detail ?? '', new RegExp(`^pool: pool ${pool.name} → cloud: .*timeout`, 'i'));
  });
});

describe('LLM response cache', () => {
  let sim: LlmSimulator;
  const redis = createRedis(REDIS_URL, 'greenfood-cache-test');
  const prefix = uniqueId('cache-test');
  before(async () => { sim = await startLlmSimulator({ port: 0, parallel: 4, latencyMs: 150 }); });
  after(async () => {
    await sim.close();
    redis.disconnect();
    await db.end();
  });

  const db = createDb(DATABASE_URL, 2, 'greenfood-cache-test');
  function request(sku: string): LlmRequest<'choose_substitute'> {
    return {
      task: 'choose_substitute', agent: 'seller', crew: 'fulfill_order', step: 'seller',
      input: { requested: { sku, name: 'Мед гречаний', category: 'honey', qty: 2 }, candidates: [{ sku: 'GF-HON-0002', name: 'Мед липовий', priceKop: 21000, available: 9 }, { sku: 'GF-HON-0003', name: 'Мед акацієвий', priceKop: 23000, available: 4 }] },
    };
  }
  type Generate = ReturnType<typeof createLlmActivities>['llmGenerate'];
  const run = <T extends LlmTaskName>(env: MockActivityEnvironment, fn: Generate, req: LlmRequest<T>) => env.run<[LlmRequest<T>], LlmResponse<T>, (r: LlmRequest<T>) => Promise<LlmResponse<T>>>(fn, req);
  const activities = (cache: LlmCache) => createLlmActivities({ db, provider: new OllamaProvider(sim.url, 'qwen3:8b', 5000), pool: 'p', cache, cacheMaxTemperature: 0.5, load: new PoolLoad() });

  test('the second identical call is a hit and never reaches the model', async () => {
    const { llmGenerate } = activities(new LlmCache({ redis, prefix, ttlSeconds: 60 }));
    const env = new MockActivityEnvironment();
    const before = sim.stats().requests;
    const first = await run(env, llmGenerate, request(uniqueId('SKU')));
    const sku = first.output.sku;
    const again = await run(env, llmGenerate, { ...request('X'), input: { ...request('X').input } });
    assert.equal(sim.stats().requests, before + 2, 'different prompts are different entries');
    const repeat = await run(env, llmGenerate, { ...request('X') });
    assert.equal(sim.stats().requests, before + 2, 'the repeat did not reach the simulator');
    assert.equal(repeat.cached, true);
    assert.deepEqual(repeat.output, again.output);
    assert.ok(['GF-HON-0002', 'GF-HON-0003'].includes(sku));
  });

  test('identical prompts in flight are computed once (single-flight, across cache instances)', async () => {
    const env = new MockActivityEnvironment();
    const shared = request(uniqueId('SF'));
    const before = sim.stats().requests;
    // Two caches stand for two worker processes: one computes, the other waits on the Redis lock.
    const a = activities(new LlmCache({ redis, prefix, ttlSeconds: 60 }));
    const b = activities(new LlmCache({ redis, prefix, ttlSeconds: 60 }));
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => run(env, (i % 2 ? a : b).llmGenerate, shared)));
    assert.equal(sim.stats().requests, before + 1);
    for (const answer of answers) assert.deepEqual(answer.output, answers[0]!.output);
  });

  test('personal or creative calls are not cached', async () => {
    const env = new MockActivityEnvironment();
    const { llmGenerate } = activities(new LlmCache({ redis, prefix, ttlSeconds: 60 }));
    const confirmation: LlmRequest<'order_confirmation'> = {
      task: 'order_confirmation', agent: 'customer_care', crew: 'fulfill_order', step: 'customer_care',
      input: { orderId: 'X1', language: 'uk', lines: [{ name: 'Мед', qty: 1 }], total: '10.00 грн', paymentDueDate: '2026-12-10', shipments: [{ carrier: 'Укрпошта', trackingNumber: 'GF000000000001', etaDate: '2026-12-07', hubCity: 'Київ' }], substitutions: [], supportContacts: 'support' },
    };
    const before = sim.stats().requests;
    await run(env, llmGenerate, confirmation);
    await run(env, llmGenerate, confirmation);
    assert.equal(sim.stats().requests, before + 2);
  });

  test('a failed generation rejects its caller only: no unhandled rejection that would end the worker', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const cache = new LlmCache({ redis, prefix, ttlSeconds: 60 });
      await assert.rejects(cache.getOrCompute(uniqueId('fail'), () => Promise.reject(new Error('node died')), () => true), /node died/);
      await sleep(50);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });

  test('Redis down costs cache hits only', async () => {
    const deadRedis = createRedis('redis://127.0.0.1:1/0', 'greenfood-dead');
    try {
      const { llmGenerate } = activities(new LlmCache({ redis: deadRedis, prefix, ttlSeconds: 60 }));
      const env = new MockActivityEnvironment();
      const before = sim.stats().requests;
      const answer = await run(env, llmGenerate, request(uniqueId('DOWN')));
      assert.ok(answer.output.sku);
      assert.equal(sim.stats().requests, before + 1);
    } finally {
      deadRedis.disconnect();
    }
  });
});

describe('sticky dialogs', () => {
  let platform: Platform;
  before(async () => { platform = await startPlatform({ localPools: 2 }); });
  after(async () => { await platform.stop(); });

  test('a conversation stays on the pool that holds its context, and moves when that pool dies', async () => {
    const buyer = await createTestBuyer(platform.db);
    const person = { role: 'buyer' as const, personId: buyer.code };
    const poolsUsed = async () => (await platform.db.query<{ pool: string }>(
      `SELECT pool FROM agent_runs WHERE workflow_id = $1 AND kind = 'llm' AND outcome = 'ok' ORDER BY id`, [`conversation-buyer-${buyer.code}`])).rows.map((r) => r.pool);
    await sendMessage(platform.client, person, 'Привіт! Які у вас є меди?', { idleTimeoutMs: 60_000 });
    await sendMessage(platform.client, person, 'А сир є?', { idleTimeoutMs: 60_000 });
    const first = await poolsUsed();
    assert.ok(first.length >= 2);
    assert.equal(new Set(first).size, 1, `one pool served the whole dialog, got ${first.join(', ')}`);

    const holder = platform.pools.find((p) => p.name === first[0])!;
    holder.worker.shutdown();
    await holder.done;
    // Its health entry is withdrawn once the worker has stopped; then the router no longer offers it.
    const deadline = Date.now() + 5000;
    while ((await platform.redis.exists(poolHealthKey(platform.redisPrefix, holder.name))) && Date.now() < deadline) await sleep(100);

    await sendMessage(platform.client, person, 'А горіхи?', { idleTimeoutMs: 60_000 });
    const after = (await poolsUsed()).slice(first.length);
    assert.ok(after.length >= 1);
    assert.ok(after.every((p) => p !== holder.name), `moved off the dead pool, got ${after.join(', ')}`);
    await conversationHandle(platform.client, person).terminate('test done');
  });
});
