import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { seedDemoData, type SeedSummary } from '../src/db/seed';
import { generateDemoData, isoDate } from '../src/db/seed-data';
import type * as NodePgMigrateModule from 'node-pg-migrate' with { 'resolution-mode': 'import' };

// node-pg-migrate ships its types only behind package "exports", which the project's node10
// module resolution cannot see; resolving them in ESM mode and loading the module through a
// non-literal specifier keeps the runner fully typed without touching tsconfig.
type NodePgMigrate = typeof NodePgMigrateModule;
const NODE_PG_MIGRATE: string = 'node-pg-migrate';

const ADMIN_URL = process.env.ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SEED = 4242;
const TODAY = new Date(2025, 5, 15);
const TODAY_ISO = isoDate(TODAY);

function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

// describe/it return promises that node:test tracks itself, so they are deliberately not awaited.
void describe('seedDemoData', () => {
  const dbName = `greenfood_seedtest_${process.pid}_${Date.now()}`;
  const admin = new pg.Pool({ connectionString: ADMIN_URL, max: 1 });
  let pool: pg.Pool | undefined;
  let summary: SeedSummary;
  let seedMs = 0;

  const db = (): pg.Pool => {
    if (!pool) throw new Error('database not ready');
    return pool;
  };

  async function one<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T> {
    const { rows } = await db().query<T>(sql, params);
    const row = rows[0];
    if (!row) throw new Error(`no row from: ${sql}`);
    return row;
  }

  before(async () => {
    await admin.query(`CREATE DATABASE ${dbName}`);
    const { runner } = (await import(NODE_PG_MIGRATE)) as NodePgMigrate;
    await runner({
      databaseUrl: urlFor(dbName),
      dir: 'migrations',
      direction: 'up',
      migrationsTable: 'pgmigrations',
      log: () => {},
    });
    pool = new pg.Pool({ connectionString: urlFor(dbName) });
    const started = performance.now();
    summary = await seedDemoData(pool, { today: TODAY, seed: SEED });
    seedMs = performance.now() - started;
  });

  after(async () => {
    await pool?.end();
    // pool.end() resolves before the server has seen the sockets close; forcing the drop while they
    // linger makes Postgres kill them and the dying clients throw uncaught errors into the runner.
    for (let i = 0; i < 50; i++) {
      const { rows } = await admin.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1', [dbName]);
      if (Number(rows[0]?.n ?? 0) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  });

  void it('creates at least the promised amount of data, quickly', async () => {
    assert.equal(summary.created, true);
    assert.ok(summary.consignors >= 20, `consignors ${summary.consignors}`);
    assert.ok(summary.hubs >= 3, `hubs ${summary.hubs}`);
    assert.ok(summary.products >= 200, `products ${summary.products}`);
    assert.ok(summary.buyers >= 50, `buyers ${summary.buyers}`);
    assert.ok(summary.batches >= summary.products, `batches ${summary.batches}`);
    assert.ok(summary.stockUnits >= summary.batches * 5, `stock units ${summary.stockUnits}`);
    assert.ok(seedMs < 2000, `seeding took ${Math.round(seedMs)} ms`);

    const cats = await one<{ n: string }>('SELECT count(*) AS n FROM categories');
    assert.ok(Number(cats.n) >= 8);
    const zones = await db().query<{ code: string; zones: string[] }>(
      `SELECT h.code, array_agg(z.temperature_zone ORDER BY z.temperature_zone) AS zones
         FROM hubs h JOIN hub_zones z ON z.hub_id = h.id GROUP BY h.code`,
    );
    for (const hub of zones.rows) assert.deepEqual(hub.zones, ['ambient', 'chilled', 'frozen'], hub.code);
  });

  void it('defines the three buyer tiers with their commercial terms', async () => {
    const { rows } = await db().query('SELECT tier, discount_bp, payment_terms_days, priority FROM buyer_tiers ORDER BY tier');
    assert.deepEqual(rows, [
      { tier: 'b2b', discount_bp: 500, payment_terms_days: 14, priority: 'regular' },
      { tier: 'retail', discount_bp: 0, payment_terms_days: 0, priority: 'regular' },
      { tier: 'vip', discount_bp: 1000, payment_terms_days: 7, priority: 'vip' },
    ]);
    const mix = await one<{ retail: string; b2b: string; vip: string; total: string }>(
      `SELECT count(*) FILTER (WHERE tier = 'retail') AS retail, count(*) FILTER (WHERE tier = 'b2b') AS b2b,
              count(*) FILTER (WHERE tier = 'vip') AS vip, count(*) AS total FROM buyers`,
    );
    const total = Number(mix.total);
    assert.ok(Math.abs(Number(mix.retail) / total - 0.6) <= 0.05);
    assert.ok(Math.abs(Number(mix.b2b) / total - 0.3) <= 0.05);
    assert.ok(Math.abs(Number(mix.vip) / total - 0.1) <= 0.05);
  });

  void it('gives consignors unique EDRPOU codes and well-formed bank details', async () => {
    const { rows } = await db().query<{ code: string; edrpou: string; iban: string; phone: string; commission_bp: number }>(
      'SELECT code, edrpou, iban, phone, commission_bp FROM consignors ORDER BY id',
    );
    assert.equal(new Set(rows.map((r) => r.edrpou)).size, rows.length);
    rows.forEach((r, i) => {
      assert.equal(r.code, `C${String(i + 1).padStart(3, '0')}`);
      assert.match(r.edrpou, /^[0-9]{8}$/);
      assert.match(r.iban, /^UA[0-9]{27}$/);
      assert.match(r.phone, /^\+380[0-9]{9}$/);
      assert.ok(r.commission_bp >= 1000 && r.commission_bp <= 2000, `${r.code} commission ${r.commission_bp}`);
    });
    const products = await one<{ bad: string; unsold: string }>(
      `SELECT count(*) FILTER (WHERE cost_kop >= price_kop OR sku !~ '^GF-[A-Z]{3}-[0-9]{4}$') AS bad,
              (SELECT count(*) FROM consignors c WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.consignor_id = c.id)) AS unsold
         FROM products`,
    );
    assert.equal(Number(products.bad), 0);
    assert.equal(Number(products.unsold), 0, 'every consignor has products');
  });

  void it('stores every stock row in a zone of its hub that matches the product storage, with a receipt', async () => {
    const r = await one<{ rows: string; mismatched: string; unreceipted: string; unstocked: string; reserved: string }>(
      `SELECT count(*) AS rows,
              count(*) FILTER (WHERE z.id IS NULL OR z.temperature_zone <> p.storage OR z.hub_id <> s.hub_id) AS mismatched,
              count(*) FILTER (WHERE NOT EXISTS (
                SELECT 1 FROM stock_movements m
                 WHERE m.batch_id = s.batch_id AND m.hub_id = s.hub_id AND m.kind = 'receipt'
                   AND m.qty = s.qty_on_hand AND m.reference = 'seed:' || b.code)) AS unreceipted,
              (SELECT count(*) FROM batches nb WHERE NOT EXISTS (SELECT 1 FROM stock ns WHERE ns.batch_id = nb.id)) AS unstocked,
              count(*) FILTER (WHERE s.qty_reserved <> 0 OR s.qty_on_hand NOT BETWEEN 5 AND 120) AS reserved
         FROM stock s
         JOIN batches b ON b.id = s.batch_id
         JOIN products p ON p.id = b.product_id
         LEFT JOIN hub_zones z ON z.id = s.zone_id`,
    );
    assert.ok(Number(r.rows) >= Number(summary.batches));
    assert.equal(Number(r.mismatched), 0);
    assert.equal(Number(r.unreceipted), 0);
    assert.equal(Number(r.unstocked), 0);
    assert.equal(Number(r.reserved), 0);
    const movements = await one<{ n: string }>('SELECT count(*) AS n FROM stock_movements');
    assert.equal(movements.n, r.rows);
  });

  void it('mixes valid, soon-expiring and expired batches relative to today', async () => {
    const r = await one<{ expired: string; expired_in_stock: string; stale_in_stock: string; soon: string; valid: string; future: string; bad_expiry: string }>(
      `SELECT count(*) FILTER (WHERE b.status = 'expired') AS expired,
              count(*) FILTER (WHERE b.status = 'expired' AND b.expiry_date >= $1::date) AS expired_in_stock,
              count(*) FILTER (WHERE b.status <> 'expired' AND b.expiry_date < $1::date) AS stale_in_stock,
              count(*) FILTER (WHERE b.status = 'in_stock' AND b.expiry_date BETWEEN $1::date AND $1::date + 7) AS soon,
              count(*) FILTER (WHERE b.status = 'in_stock' AND b.expiry_date > $1::date + 7) AS valid,
              count(*) FILTER (WHERE b.production_date > $1::date) AS future,
              count(*) FILTER (WHERE b.expiry_date <> b.production_date + p.shelf_life_days) AS bad_expiry
         FROM batches b JOIN products p ON p.id = b.product_id`,
      [TODAY_ISO],
    );
    assert.ok(Number(r.expired) > 0, 'some batches are expired');
    assert.equal(Number(r.expired_in_stock), 0);
    assert.equal(Number(r.stale_in_stock), 0, 'no expired batch is in_stock');
    assert.ok(Number(r.soon) > 0, 'some batches expire within 7 days');
    assert.ok(Number(r.valid) > Number(r.soon) + Number(r.expired), 'most batches are comfortably valid');
    assert.equal(Number(r.future), 0);
    assert.equal(Number(r.bad_expiry), 0);
  });

  void it('does nothing when the database is already seeded', async () => {
    const again = await Promise.all([seedDemoData(db(), { today: TODAY, seed: SEED }), seedDemoData(db(), { seed: 1 })]);
    for (const s of again) assert.deepEqual(s, { ...summary, created: false });
    const consignors = await one<{ n: string }>('SELECT count(*) AS n FROM consignors');
    assert.equal(Number(consignors.n), summary.consignors);
  });

  void it('is deterministic for a given seed', async () => {
    const a = generateDemoData({ today: TODAY, seed: SEED });
    const b = generateDemoData({ today: TODAY, seed: SEED });
    assert.deepEqual(a, b);
    const first = a.products[0];
    assert.ok(first);
    const row = await one<{ sku: string; price_kop: string }>('SELECT sku, price_kop FROM products ORDER BY id LIMIT 1');
    assert.deepEqual({ sku: row.sku, priceKop: Number(row.price_kop) }, { sku: first.sku, priceKop: first.priceKop });

    const other = generateDemoData({ today: TODAY, seed: SEED + 1 });
    assert.notDeepEqual(
      other.products.map((p) => p.priceKop),
      a.products.map((p) => p.priceKop),
    );
  });
});
