/**
 * End-to-end harness: real Temporal dev server and real Postgres (both prepared by
 * scripts/test.sh, which exports TEST_TEMPORAL_ADDRESS and TEST_DATABASE_URL), real workers
 * in this process, and the project's LLM simulator on a loopback port for the model.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Runtime, type ActivityInterceptorsFactory, type RuntimeOptions, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createDb, type Db } from '../src/db/pool';
import { createRedis, type RedisClient } from '../src/db/redis';
import { startLlmSimulator, type LlmSimulator } from '../src/llm-sim/server';
import { OllamaProvider, OpenAiCompatibleProvider } from '../src/llm/providers';
import type { RoutingPolicy } from '../src/llm/routing';
import type { FulfillOrderInput } from '../src/orders/contract';
import { createAgentsWorker, createCrewsWorker, createLlmWorker } from '../src/workers/factories';
import { crewBundleOptions } from '../src/observability/interceptors';
import { clientInterceptors } from '../src/observability/tracing';

export const TEMPORAL_ADDRESS = process.env.TEST_TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
export const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/greenfood_test';
export const NAMESPACE = 'default';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

let runtimeInstalled = false;
function quietRuntime(extra: RuntimeOptions = {}) {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // Workers log every retry at WARN; tests provoke retries on purpose, so keep their output readable.
  Runtime.install({ logger: new (class {
    log() {} trace() {} debug() {} info() {} warn() {}
    error(message: string, meta?: Record<string, unknown>) { console.error(message, meta ?? ''); }
  })(), ...extra });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
  return bundle;
}

/** The bundle production crew workers run: with the tracing and crew-metrics workflow interceptors. */
let observedBundle: Promise<WorkflowBundleWithSourceMap> | undefined;
function observedWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  observedBundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../src/workflows'), ...crewBundleOptions(), logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
  return observedBundle;
}

export interface Platform {
  client: Client;
  db: Db;
  redis: RedisClient;
  sim: LlmSimulator;
  llmPool: string;
  /** Redis key prefix of this platform: its pools, caches and budgets are invisible to other test files. */
  redisPrefix: string;
  /** Every LLM pool started (local pools first, then `cloud`), with its simulator node and worker. */
  pools: { name: string; sim: LlmSimulator; worker: Worker; done: Promise<void> }[];
  /** Stops workers (if any), the simulator and all connections. */
  stop(): Promise<void>;
}

export interface PlatformOptions {
  /** Start crews/agents/LLM workers in this process (false when a test runs them in a child process). */
  workers?: boolean;
  simLatencyMs?: number;
  simParallel?: number;
  /**
   * Wraps agent tools, to stage what happens *between* steps in production (another buyer taking
   * the last units, a carrier API refusing) — the tools themselves still run against Postgres.
   */
  agentInterceptors?: ActivityInterceptorsFactory[];
  /** Local LLM pools to run (each with its own simulator node); default one pinned-by-name pool. */
  localPools?: number;
  /** Also run a `cloud` pool: the OpenAI-compatible client against its own simulator node. */
  cloudPool?: boolean;
  /** Router policy overrides (e.g. a short local schedule-to-start timeout, a cloud token budget). */
  routing?: Partial<RoutingPolicy>;
  /**
   * Observability tests: Runtime options for this process (the first startPlatform call wins: a
   * logger, SDK metrics), workflows bundled with the tracing/crew-metrics interceptors, a traced client.
   */
  observability?: { runtime?: RuntimeOptions };
}

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  quietRuntime(options.observability?.runtime);
  const db = createDb(DATABASE_URL, 20, 'greenfood-test');
  const redis = createRedis(REDIS_URL, 'greenfood-test');
  const sim = await startLlmSimulator({ port: 0, parallel: options.simParallel ?? 8, latencyMs: options.simLatencyMs ?? 5, name: 'test-node' });
  const connection = await Connection.connect({ address: TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: NAMESPACE, ...(options.observability ? { interceptors: clientInterceptors() } : {}) });
  // A pool name per test file keeps one file's LLM tasks away from another file's workers.
  const runId = randomUUID().slice(0, 8);
  const llmPool = `test-${runId}`;
  const redisPrefix = `test-${runId}`;
  const running: { worker: Worker; done: Promise<void> }[] = [];
  const pools: Platform['pools'] = [];
  const extraSims: LlmSimulator[] = [];
  let native: NativeConnection | undefined;
  if (options.workers !== false) {
    native = await NativeConnection.connect({ address: TEMPORAL_ADDRESS });
    const base = { connection: native, namespace: NAMESPACE };
    const router = { redis, prefix: redisPrefix, defaultPool: llmPool, policy: { localScheduleToStartMs: 30_000, ...options.routing } };
    const workers = [
      await createCrewsWorker({ ...base, router }, { workflowBundle: await (options.observability ? observedWorkflowBundle() : workflowBundle()) }),
      await createAgentsWorker({ ...base, db, readDb: db, redis }, options.agentInterceptors ? { interceptors: { activity: options.agentInterceptors } } : {}),
    ];
    for (const worker of workers) running.push({ worker, done: worker.run() });
    const llmExtras = (kind: 'local' | 'cloud') => ({
      health: { redis, prefix: redisPrefix, kind, budgetWindowMs: options.routing?.budgetWindowMs },
      cache: { redis, prefix: redisPrefix, ttlSeconds: 3600, maxTemperature: 0.5 },
    });
    const poolCount = Math.max(1, options.localPools ?? 1);
    for (let i = 0; i < poolCount; i++) {
      const name = i === 0 ? llmPool : `${llmPool}-${i + 1}`;
      const node = i === 0 ? sim : await startLlmSimulator({ port: 0, parallel: options.simParallel ?? 8, latencyMs: options.simLatencyMs ?? 5, name: `test-node-${i + 1}` });
      if (i > 0) extraSims.push(node);
      const worker = await createLlmWorker({ ...base, db, pool: name, parallel: options.simParallel ?? 8, provider: new OllamaProvider(node.url, 'qwen3:8b', 5_000), ...llmExtras('local') });
      pools.push({ name, sim: node, worker, done: worker.run() });
    }
    if (options.cloudPool) {
      const node = await startLlmSimulator({ port: 0, parallel: 16, latencyMs: options.simLatencyMs ?? 5, name: 'test-cloud', models: ['deepseek-chat'] });
      extraSims.push(node);
      const worker = await createLlmWorker({ ...base, db, pool: 'cloud', parallel: 16, provider: new OpenAiCompatibleProvider(`${node.url}/v1`, 'sim', 'deepseek-chat', 5_000), ...llmExtras('cloud') });
      pools.push({ name: 'cloud', sim: node, worker, done: worker.run() });
    }
  }
  return {
    client, db, redis, sim, llmPool, redisPrefix, pools,
    async stop() {
      for (const r of [...running, ...pools]) if (r.worker.getState() === 'RUNNING') r.worker.shutdown();
      await Promise.all([...running, ...pools].map((r) => r.done));
      for (const node of extraSims) await node.close();
      await native?.close();
      await connection.close();
      await sim.close();
      redis.disconnect();
      await db.end();
    },
  };
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 12)}`;
}

/** A product of our own with exactly `qty` sellable units in one batch, so a test controls its stock. */
export async function createTestProduct(db: Db, opts: { qty: number; storage?: 'ambient' | 'chilled' | 'frozen'; priceKop?: number; category?: string; hubCode?: string; daysToExpiry?: number; consignorCode?: string }): Promise<{ sku: string; productId: number; batchId: number }> {
  const sku = uniqueId('T-SKU').toUpperCase();
  const storage = opts.storage ?? 'ambient';
  const product = await db.query<{ id: number; consignor_id: number }>(
    `INSERT INTO products (sku, consignor_id, category_id, name, price_kop, cost_kop, weight_g, volume_ml, shelf_life_days, storage)
     SELECT $1, coalesce((SELECT id FROM consignors WHERE code = $5::text), (SELECT id FROM consignors ORDER BY id LIMIT 1)),
            coalesce((SELECT id FROM categories WHERE code = $2), (SELECT id FROM categories ORDER BY id LIMIT 1)),
            'Тестовий товар ' || $1, $3::bigint, $3::bigint / 2, 500, 500, 365, $4::text
     RETURNING id, consignor_id`, [sku, opts.category ?? '__none__', opts.priceKop ?? 10000, storage, opts.consignorCode ?? null]);
  const p = product.rows[0]!;
  const batch = await db.query<{ id: number; hub_id: number }>(
    `INSERT INTO batches (code, product_id, consignor_id, origin_hub_id, production_date, expiry_date, status)
     SELECT $1, $2, $3, h.id, current_date - 10, current_date + $5::int, 'in_stock' FROM hubs h WHERE h.code = coalesce($4, (SELECT code FROM hubs ORDER BY id LIMIT 1))
     RETURNING id, origin_hub_id AS hub_id`, [`B-${sku}`, p.id, p.consignor_id, opts.hubCode ?? null, opts.daysToExpiry ?? 200]);
  const b = batch.rows[0]!;
  await db.query(
    `INSERT INTO stock (batch_id, hub_id, zone_id, qty_on_hand)
     VALUES ($1, $2, (SELECT id FROM hub_zones WHERE hub_id = $2 AND temperature_zone = $4::text LIMIT 1), $3::int)`, [b.id, b.hub_id, opts.qty, storage]);
  await db.query(`INSERT INTO stock_movements (batch_id, hub_id, kind, qty, reference) VALUES ($1, $2, 'receipt', $3, 'test')`, [b.id, b.hub_id, opts.qty]);
  return { sku, productId: p.id, batchId: b.id };
}

export async function anyBuyer(db: Db, tier: 'retail' | 'b2b' | 'vip' = 'retail'): Promise<string> {
  const row = await db.query<{ code: string }>('SELECT code FROM buyers WHERE tier = $1 ORDER BY id LIMIT 1', [tier]);
  return row.rows[0]!.code;
}

export function orderInput(platform: Platform, overrides: Partial<FulfillOrderInput> & Pick<FulfillOrderInput, 'buyerCode' | 'items'>): FulfillOrderInput {
  return {
    orderId: uniqueId('T'),
    priority: 'regular',
    deliveryAddress: { recipient: 'Олена Петренко', phone: '+380501234567', city: 'Київ', street: 'вул. Хрещатик, 1', postalCode: '01001', country: 'UA' },
    llmPool: platform.llmPool,
    ...overrides,
  };
}

export async function stockOf(db: Db, batchId: number): Promise<{ onHand: number; reserved: number }> {
  const r = await db.query<{ qty_on_hand: number; qty_reserved: number }>('SELECT qty_on_hand, qty_reserved FROM stock WHERE batch_id = $1', [batchId]);
  return { onHand: r.rows[0]!.qty_on_hand, reserved: r.rows[0]!.qty_reserved };
}

export async function ledgerSnapshot(db: Db): Promise<{ txns: number; postings: number; sum: number }> {
  const r = await db.query<{ txns: number; postings: number; sum: number }>(
    `SELECT (SELECT count(*)::int FROM ledger_transactions) AS txns, count(*)::int AS postings, coalesce(sum(amount_kop), 0)::bigint AS sum FROM ledger_postings`);
  return r.rows[0]!;
}

/** An agent-tool interceptor that runs `before` ahead of one activity type for one order. */
export function beforeActivity(activityType: string, orderId: string, before: () => Promise<void>): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        if (ctx.info.activityType === activityType && input.args[0] === orderId) await before();
        return next(input);
      },
    },
  });
}
