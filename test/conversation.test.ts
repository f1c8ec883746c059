import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createConversationActivities, memoryKey } from '../src/activities/conversations';
import { ChatInputError, conversationHandle, sendMessage, type SendOptions } from '../src/conversations/client';
import { conversationWorkflowId, messageUpdate, transcriptQuery, type MessageReply } from '../src/conversations/contract';
import type { ChatPerson } from '../src/conversations/schema';
import { createRedis } from '../src/db/redis';
import { formatUah } from '../src/shared/money';
import { createConsignorProduct, createTestBuyer, createTestConsignor, placeOrder, trackingNumbers, waitFor } from './conversation-fixtures';
import { createTestProduct, startPlatform, TEMPORAL_ADDRESS, workflowBundle, type Platform } from './harness';

const REPO = path.join(__dirname, '..');

describe('conversation: Assistant and Customer Care sessions', () => {
  let platform: Platform;
  let options: SendOptions;
  const buyerA = { role: 'buyer' } as ChatPerson;
  const buyerB = { role: 'buyer' } as ChatPerson;
  const buyerC = { role: 'buyer' } as ChatPerson;
  const consignor = { role: 'consignor' } as ChatPerson;
  let consignorDbId: number;
  let productSku: string;
  // Orders placed by the real fulfill_order crew: A1 then A2 (A's latest), B1 then B2, C1.
  const orders: Record<'A1' | 'A2' | 'B1' | 'B2' | 'C1', string> = { A1: '', A2: '', B1: '', B2: '', C1: '' };
  /** Every session run the tests produce, for the replay test. */
  const runs: { name: string; workflowId: string; runId?: string }[] = [];

  const send = (person: ChatPerson, text: string, extra: SendOptions = {}) => sendMessage(platform.client, person, text, { ...options, ...extra });
  const messageRows = async (sessionId: string) =>
    (await platform.db.query<{ n: number }>('SELECT count(*)::int AS n FROM conversation_messages WHERE session_id = $1', [sessionId])).rows[0]!.n;

  before(async () => {
    platform = await startPlatform();
    // Idle end well after the file's last message, so sessions stay open between tests.
    options = { llmPool: platform.llmPool, idleTimeoutMs: 60_000 };
    const [a, b, c] = await Promise.all([createTestBuyer(platform.db), createTestBuyer(platform.db), createTestBuyer(platform.db)]);
    buyerA.personId = a.code;
    buyerB.personId = b.code;
    buyerC.personId = c.code;
    const seller = await createTestConsignor(platform.db);
    consignor.personId = seller.code;
    consignorDbId = seller.id;
    const honey = await createConsignorProduct(platform.db, seller.id, 30);
    const product = await createTestProduct(platform.db, { qty: 40 });
    productSku = product.sku;
    await Promise.all([
      (async () => {
        orders.A1 = (await placeOrder(platform, a.code, product.sku, 1)).orderId;
        orders.A2 = (await placeOrder(platform, a.code, product.sku, 2)).orderId;
      })(),
      (async () => {
        orders.B1 = (await placeOrder(platform, b.code, product.sku, 1)).orderId;
        orders.B2 = (await placeOrder(platform, b.code, product.sku, 1)).orderId;
      })(),
      (async () => { orders.C1 = (await placeOrder(platform, c.code, honey.sku, 2)).orderId; })(),
    ]);
  });
  after(async () => { await platform?.stop(); });

  test('the first message starts the session (update-with-start); the answer carries the real tracking number', async () => {
    const sessionId = conversationWorkflowId('buyer', buyerA.personId);
    const existing = await conversationHandle(platform.client, buyerA).describe().catch(() => undefined);
    assert.equal(existing, undefined, 'no session exists before the first message');

    const reply = await send(buyerA, `Який статус замовлення ${orders.A1}?`);
    assert.equal(reply.sessionId, sessionId);
    assert.equal(reply.turn, 1);
    assert.deepEqual([reply.intent, reply.intentSource, reply.agent], ['order_status', 'rules', 'customer_care']);
    assert.equal(reply.orderId, orders.A1);
    assert.equal(reply.orderSource, 'message');
    assert.deepEqual(reply.memory, { available: true, turnsRecalled: 0 });
    const [tracking] = await trackingNumbers(platform.db, orders.A1);
    assert.ok(tracking, 'the crew shipped order A1');
    assert.ok(reply.answer.includes(tracking), `answer quotes the tracking number ${tracking}: ${reply.answer}`);
    assert.ok(reply.answer.includes(orders.A1));
    for (const other of await trackingNumbers(platform.db, orders.A2)) assert.ok(!reply.answer.includes(other), 'nothing of another order');

    const description = await conversationHandle(platform.client, buyerA).describe();
    assert.equal(description.status.name, 'RUNNING');
    runs.push({ name: 'shared-memory', workflowId: sessionId, runId: description.runId });
    const session = await platform.db.query<{ role: string; status: string; messages: number; buyer_id: number | null }>(
      'SELECT role, status, messages, buyer_id FROM conversation_sessions WHERE id = $1', [sessionId]);
    assert.deepEqual({ ...session.rows[0], buyer_id: session.rows[0]!.buyer_id !== null }, { role: 'buyer', status: 'active', messages: 1, buyer_id: true });
    const history = await platform.db.query<{ role: string; turn: number; intent: string; order_id: string }>(
      'SELECT role, turn, intent, order_id FROM conversation_messages WHERE session_id = $1 ORDER BY id', [sessionId]);
    assert.deepEqual(history.rows, [
      { role: 'user', turn: 1, intent: 'order_status', order_id: orders.A1 },
      { role: 'assistant', turn: 1, intent: 'order_status', order_id: orders.A1 },
    ]);
  });

  test('two messages in one session share memory: "а коли доставка?" is about the order named before', async () => {
    const sessionId = conversationWorkflowId('buyer', buyerA.personId);
    const reply = await send(buyerA, 'а коли доставка?', { messageId: 'follow-up-1' });
    assert.equal(reply.turn, 2);
    assert.equal(reply.intent, 'delivery_status');
    // Without memory this would be A2, the buyer's latest order.
    assert.equal(reply.orderId, orders.A1);
    assert.equal(reply.orderSource, 'memory');
    assert.deepEqual(reply.memory, { available: true, turnsRecalled: 2 });
    const [tracking] = await trackingNumbers(platform.db, orders.A1);
    assert.ok(reply.answer.includes(tracking!), reply.answer);

    // Both messages went to the one run the first message started.
    const description = await conversationHandle(platform.client, buyerA).describe();
    assert.equal(description.runId, runs.find((r) => r.workflowId === sessionId)!.runId);
    const history = await conversationHandle(platform.client, buyerA).fetchHistory();
    assert.equal((history.events ?? []).filter((e) => e.workflowExecutionUpdateCompletedEventAttributes).length, 2);

    const memory = JSON.parse((await platform.redis.get(memoryKey(sessionId)))!) as { turns: unknown[]; context: { orderId?: string } };
    assert.equal(memory.turns.length, 4);
    assert.equal(memory.context.orderId, orders.A1);
    const ttl = await platform.redis.ttl(memoryKey(sessionId));
    assert.ok(ttl > 3500 && ttl <= 3600, `memory lives an hour after the last message (ttl ${ttl})`);

    // A resent message (same id) is answered once: same reply, nothing new in history.
    const rows = await messageRows(sessionId);
    const again = await send(buyerA, 'а коли доставка?', { messageId: 'follow-up-1' });
    assert.deepEqual(again, reply);
    assert.equal(await messageRows(sessionId), rows);
  });

  test('Customer Care records a complaint; Catalog answers a product question', async () => {
    const sessionId = conversationWorkflowId('buyer', buyerA.personId);
    const complaint = await send(buyerA, `Хочу поскаржитися: товар у замовленні ${orders.A2} прийшов пошкоджений`);
    assert.deepEqual([complaint.intent, complaint.agent, complaint.orderId], ['complaint', 'customer_care', orders.A2]);
    assert.match(complaint.complaintRef ?? '', /^CMP-[0-9]{6}$/);
    assert.ok(complaint.answer.includes(complaint.complaintRef!), complaint.answer);
    const rows = await platform.db.query<{ order_id: string; status: string; body: string; buyer: string }>(
      `SELECT c.order_id, c.status, c.body, b.code AS buyer FROM customer_complaints c JOIN buyers b ON b.id = c.buyer_id WHERE c.session_id = $1`, [sessionId]);
    assert.equal(rows.rows.length, 1);
    assert.deepEqual({ ...rows.rows[0], body: rows.rows[0]!.body.includes('пошкоджений') },
      { order_id: orders.A2, status: 'open', body: true, buyer: buyerA.personId });

    const product = await send(buyerA, `Які алергени у ${productSku}?`);
    assert.deepEqual([product.intent, product.agent], ['product_question', 'catalog']);
    assert.ok(product.answer.includes(productSku), product.answer);
    assert.ok(product.facts.some((f) => f.includes(productSku) && f.includes('sellable stock')));
  });

  test('an expired session starts fresh: after the memory TTL the follow-up no longer knows the order', async () => {
    const sessionId = conversationWorkflowId('buyer', buyerB.personId);
    const first = await send(buyerB, `Де моє замовлення ${orders.B1}?`, { memoryTtlSeconds: 2 });
    assert.deepEqual([first.orderId, first.orderSource], [orders.B1, 'message']);
    const ttl = await platform.redis.ttl(memoryKey(sessionId));
    assert.ok(ttl > 0 && ttl <= 2, `short TTL from the session input (ttl ${ttl})`);
    // The real TTL passes; nothing deletes the key by hand.
    await waitFor('the memory to expire', async () => (await platform.redis.exists(memoryKey(sessionId))) === 0, 6000);

    const second = await send(buyerB, 'а коли доставка?');
    assert.equal(second.turn, 2, 'the session workflow is still the same; only its memory expired');
    assert.deepEqual(second.memory, { available: true, turnsRecalled: 0 });
    assert.equal(second.orderSource, 'latest');
    assert.equal(second.orderId, orders.B2);
    const [latestTracking] = await trackingNumbers(platform.db, orders.B2);
    assert.ok(second.answer.includes(latestTracking!));
    for (const old of await trackingNumbers(platform.db, orders.B1)) assert.ok(!second.answer.includes(old), 'nothing remembered of B1');
    const memory = JSON.parse((await platform.redis.get(memoryKey(sessionId)))!) as { turns: unknown[] };
    assert.equal(memory.turns.length, 2, 'memory starts again from this exchange');
    runs.push({ name: 'expired-memory', workflowId: sessionId });
  });

  test('Finance answers a consignor\'s balance from the ledger; the session ends on its idle timer', async () => {
    const sessionId = conversationWorkflowId('consignor', consignor.personId);
    const ledger = await platform.db.query<{ owed: number }>(
      `SELECT -sum(amount_kop)::bigint AS owed FROM ledger_postings WHERE account = 'consignor_payable' AND consignor_id = $1`, [consignorDbId]);
    const owed = ledger.rows[0]!.owed;
    assert.ok(owed > 0, 'the crew accrued a payable for the consignor');

    const started = Date.now();
    const reply = await send(consignor, 'Який мій баланс?', { idleTimeoutMs: 1500 });
    assert.deepEqual([reply.intent, reply.agent], ['balance', 'finance']);
    assert.ok(reply.answer.includes(formatUah(owed)), `answer states ${formatUah(owed)}: ${reply.answer}`);

    const handle = conversationHandle(platform.client, consignor);
    const { runId } = await handle.describe();
    const result = await handle.result();
    assert.deepEqual(result, { sessionId, endedBy: 'idle', messages: 1, runs: 1 });
    assert.ok(Date.now() - started < 15_000);
    const session = await platform.db.query<{ status: string; close_reason: string }>('SELECT status, close_reason FROM conversation_sessions WHERE id = $1', [sessionId]);
    assert.deepEqual(session.rows[0], { status: 'closed', close_reason: 'idle' });
    runs.push({ name: 'idle-end', workflowId: sessionId, runId });

    // The next message starts a new run of the session; memory (1 h) outlives the idle workflow.
    const later = await send(consignor, 'А що з балансом?', { idleTimeoutMs: 1500 });
    assert.equal(later.turn, 1);
    assert.deepEqual(later.memory, { available: true, turnsRecalled: 2 });
    const reopened = await handle.describe();
    assert.notEqual(reopened.runId, runId);
    const status = await platform.db.query<{ status: string }>('SELECT status FROM conversation_sessions WHERE id = $1', [sessionId]);
    assert.equal(status.rows[0]!.status, 'active');
  });

  test('continue-as-new after N messages keeps memory and the transcript', async () => {
    const sessionId = conversationWorkflowId('buyer', buyerC.personId);
    const first = await send(buyerC, `Статус замовлення ${orders.C1}?`, { maxMessagesPerRun: 2 });
    const handle = conversationHandle(platform.client, buyerC);
    const firstRunId = (await handle.describe()).runId;
    const second = await send(buyerC, 'Що з моїм замовленням?');
    assert.deepEqual([first.orderSource, second.orderSource], ['message', 'memory']);

    const firstRun = platform.client.workflow.getHandle(sessionId, firstRunId);
    await waitFor('continue-as-new', async () => (await firstRun.describe()).status.name === 'CONTINUED_AS_NEW');
    const events = (await firstRun.fetchHistory()).events ?? [];
    assert.ok(events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes, 'the first run ended by continuing as new');

    const third = await send(buyerC, 'а коли доставка?');
    assert.equal(third.turn, 3);
    assert.equal(third.orderId, orders.C1);
    assert.equal(third.orderSource, 'memory');
    assert.equal(third.memory.turnsRecalled, 4);
    const [tracking] = await trackingNumbers(platform.db, orders.C1);
    assert.ok(third.answer.includes(tracking!));

    const secondRunId = (await handle.describe()).runId;
    assert.notEqual(secondRunId, firstRunId);
    const transcript = await handle.query(transcriptQuery);
    assert.equal(transcript.messages, 3);
    assert.equal(transcript.runs, 2);
    assert.deepEqual(transcript.entries.map((e) => e.turn), [1, 2, 3]);
    const stored = await platform.db.query<{ runs: number }>('SELECT count(DISTINCT run_id)::int AS runs FROM conversation_messages WHERE session_id = $1', [sessionId]);
    assert.equal(stored.rows[0]!.runs, 2);
    runs.push({ name: 'continue-as-new-first', workflowId: sessionId, runId: firstRunId }, { name: 'continue-as-new-second', workflowId: sessionId, runId: secondRunId });
  });

  test('bad messages and unknown people are rejected with nothing stored', async () => {
    const sessionId = conversationWorkflowId('buyer', buyerA.personId);
    const rows = await messageRows(sessionId);
    const handle = conversationHandle(platform.client, buyerA);
    for (const text of ['   ', 'x'.repeat(2001)]) {
      await assert.rejects(handle.executeUpdate(messageUpdate, { args: [{ text, messageId: `bad-${text.length}` }] }), WorkflowUpdateFailedError);
    }
    assert.equal(await messageRows(sessionId), rows, 'the validator keeps rejected messages out of history');
    await assert.rejects(send(buyerA, ''), ChatInputError);

    const stranger: ChatPerson = { role: 'buyer', personId: 'NO-SUCH-BUYER' };
    const err = await send(stranger, 'Де моє замовлення?').then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
    assert.equal((err.cause as ApplicationFailure).type, 'UnknownBuyer');
    const failed = await conversationHandle(platform.client, stranger).result().then(() => undefined, (e: unknown) => e);
    assert.ok(failed instanceof WorkflowFailedError && (failed.cause as ApplicationFailure).type === 'UnknownBuyer');
    runs.push({ name: 'unknown-person', workflowId: conversationWorkflowId('buyer', 'NO-SUCH-BUYER') });
  });

  test('when the LLM fails, the answer is code\'s template stating the same facts', async () => {
    const sessionId = conversationWorkflowId('buyer', buyerA.personId);
    platform.sim.setFaults({ mode: 'malformed' });
    let reply;
    try {
      reply = await send(buyerA, `Де замовлення ${orders.A2}?`);
    } finally {
      platform.sim.setFaults({ mode: 'none' });
    }
    assert.equal(reply.usedFallback, true);
    assert.equal(reply.orderId, orders.A2);
    const [tracking] = await trackingNumbers(platform.db, orders.A2);
    assert.match(reply.answer, new RegExp(`^Замовлення ${orders.A2} від .*номер для відстеження ${tracking}`));
    const journal = await platform.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM agent_runs WHERE workflow_id = $1 AND kind = 'llm' AND outcome = 'fallback' AND step = 'customer_care'`, [sessionId]);
    assert.equal(journal.rows[0]!.n, 1, 'the fallback is journaled');
  });

  test('CLI: `chat --as buyer:<code> "..."` answers once; without a message it reads lines from stdin', async () => {
    const buyer = await createTestBuyer(platform.db);
    const env = { ...process.env, TEMPORAL_ADDRESS, LLM_POOL: platform.llmPool };
    const oneShot = await promisify(execFile)(process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'chat', '--as', `buyer:${buyer.code}`, 'Де моє замовлення?', '--json'], { cwd: REPO, env });
    const first = JSON.parse(oneShot.stdout) as MessageReply;
    assert.deepEqual([first.intent, first.orderSource, first.turn], ['order_status', 'none', 1]);
    assert.ok(first.facts.includes('this person has no orders at GREENFOOD'));

    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'chat', '--as', `buyer:${buyer.code}`, '--json'], { cwd: REPO, env });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stdin.end(`Які алергени у ${productSku}?\n\nДе моє замовлення?\n`);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    const replies = stdout.trim().split('\n').map((line) => JSON.parse(line) as MessageReply);
    assert.deepEqual(replies.map((r) => [r.turn, r.intent]), [[2, 'product_question'], [3, 'order_status']]);
    assert.ok(replies[0]!.answer.includes(productSku));

    const shown = await promisify(execFile)(process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'chat', '--as', `buyer:${buyer.code}`, '--transcript', '--json'], { cwd: REPO, env });
    const transcript = JSON.parse(shown.stdout) as { messages: number; entries: { question: string }[] };
    assert.equal(transcript.messages, 3);
    assert.equal(transcript.entries[1]!.question, `Які алергени у ${productSku}?`);
    runs.push({ name: 'cli', workflowId: conversationWorkflowId('buyer', buyer.code) });
  });

  test('Redis down costs the answer its memory, not the answer', async () => {
    // A port nothing listens on: every command fails fast, as with a dead Redis.
    const dead = createRedis('redis://127.0.0.1:1/0', 'greenfood-test-dead');
    try {
      const activities = createConversationActivities({ db: platform.db, readDb: platform.db, redis: dead });
      const env = new MockActivityEnvironment({ workflowExecution: { workflowId: 'conversation-buyer-redis-down', runId: 'r1' } });
      const started = Date.now();
      const memory = await env.run(() => activities.conversationRecallMemory('conversation-buyer-redis-down'));
      assert.deepEqual(memory, { available: false, turns: [], context: {} });
      const stored = await env.run(() => activities.conversationRemember('conversation-buyer-redis-down',
        { messageId: 'm1', question: 'Де моє замовлення?', answer: 'відповідь', intent: 'order_status' }, 60));
      assert.equal(stored, false);
      assert.ok(Date.now() - started < 3000, 'degrades within the Redis deadline');
    } finally {
      dead.disconnect();
    }
  });

  test('replay: every session history of this file replays against the current workflow code', async () => {
    const histories = await Promise.all(runs.map(async (r) => ({
      workflowId: r.workflowId,
      history: await platform.client.workflow.getHandle(r.workflowId, r.runId).fetchHistory(),
    })));
    assert.ok(histories.length >= 6);
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.deepEqual(failures, []);

    // `RECORD_HISTORIES=1` keeps one history per ending (idle, continue-as-new, failure) for
    // test/replay.test.ts, which replays committed histories against later code.
    if (process.env.RECORD_HISTORIES === '1') {
      const dir = path.join(__dirname, 'histories', 'conversation');
      await mkdir(dir, { recursive: true });
      const cli = process.env.TEMPORAL_CLI ?? 'temporal';
      const kept = ['idle-end', 'continue-as-new-first', 'expired-memory', 'unknown-person'];
      for (const r of runs.filter((run) => kept.includes(run.name))) {
        const args = ['workflow', 'show', '--workflow-id', r.workflowId, ...(r.runId ? ['--run-id', r.runId] : []), '--address', TEMPORAL_ADDRESS, '--output', 'json'];
        const { stdout } = await promisify(execFile)(cli, args, { maxBuffer: 64 * 1024 * 1024 });
        await writeFile(path.join(dir, `${r.name}.json`), stdout);
      }
    }
  });
});

