import pg from 'pg';
import { BUYER_TIERS, CATEGORIES, HUBS, generateDemoData, type GenerateOptions } from './seed-data';

export interface SeedSummary {
  consignors: number;
  hubs: number;
  products: number;
  batches: number;
  buyers: number;
  /** Units on hand across all stock rows (sum of qty_on_hand). */
  stockUnits: number;
  /** False when the database already had consignors and nothing was inserted. */
  created: boolean;
}

export type SeedOptions = GenerateOptions;

// Serialises concurrent seeders (e.g. two dev processes starting at once) so only one inserts.
const SEED_LOCK_KEY = 'greenfood:seed-demo-data';

type Counts = Omit<SeedSummary, 'created'>;

async function readCounts(client: pg.ClientBase): Promise<Counts> {
  const { rows } = await client.query<Record<keyof Counts, string>>(`
    SELECT (SELECT count(*) FROM consignors) AS consignors,
           (SELECT count(*) FROM hubs) AS hubs,
           (SELECT count(*) FROM products) AS products,
           (SELECT count(*) FROM batches) AS batches,
           (SELECT count(*) FROM buyers) AS buyers,
           (SELECT coalesce(sum(qty_on_hand), 0) FROM stock) AS "stockUnits"`);
  const row = rows[0];
  if (!row) throw new Error('count query returned no row');
  // count()/sum() come back as bigint strings; demo volumes fit comfortably in a JS number.
  return {
    consignors: Number(row.consignors),
    hubs: Number(row.hubs),
    products: Number(row.products),
    batches: Number(row.batches),
    buyers: Number(row.buyers),
    stockUnits: Number(row.stockUnits),
  };
}

// Each table is loaded with one statement from a JSON array: one round trip per table keeps
// seeding fast, and joining on natural codes in SQL avoids mapping generated ids back in JS.
// `ord` preserves generation order so serial ids follow it and stay reproducible.
function withOrd<T extends object>(rows: readonly T[]): string {
  return JSON.stringify(rows.map((r, i) => ({ ...r, ord: i })));
}

export async function seedDemoData(pool: pg.Pool, opts: SeedOptions = {}): Promise<SeedSummary> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [SEED_LOCK_KEY]);

    const existing = await client.query<{ n: string }>('SELECT count(*) AS n FROM consignors');
    if (Number(existing.rows[0]?.n ?? 0) > 0) {
      const counts = await readCounts(client);
      await client.query('COMMIT');
      return { ...counts, created: false };
    }

    const data = generateDemoData(opts);

    // Reference tables tolerate rows that a migration or an operator may already have added.
    await client.query(
      `INSERT INTO buyer_tiers (tier, discount_bp, payment_terms_days, priority)
       SELECT r.tier, r."discountBp", r."paymentTermsDays", r.priority
         FROM jsonb_to_recordset($1::jsonb) AS r(tier text, "discountBp" int, "paymentTermsDays" int, priority text)
       ON CONFLICT (tier) DO NOTHING`,
      [JSON.stringify(BUYER_TIERS)],
    );
    await client.query(
      `INSERT INTO hubs (code, name, city, address)
       SELECT r.code, r.name, r.city, r.address
         FROM jsonb_to_recordset($1::jsonb) AS r(ord int, code text, name text, city text, address text)
        ORDER BY r.ord
       ON CONFLICT (code) DO NOTHING`,
      [withOrd(HUBS.map(({ zones: _zones, ...hub }) => hub))],
    );
    await client.query(
      `INSERT INTO hub_zones (hub_id, code, temperature_zone, min_celsius, max_celsius, racks)
       SELECT h.id, r.code, r."temperatureZone", r."minCelsius", r."maxCelsius", r.racks
         FROM jsonb_to_recordset($1::jsonb)
              AS r(ord int, hub text, code text, "temperatureZone" text, "minCelsius" numeric, "maxCelsius" numeric, racks int)
         JOIN hubs h ON h.code = r.hub
        ORDER BY r.ord
       ON CONFLICT (hub_id, code) DO NOTHING`,
      [withOrd(HUBS.flatMap((h) => h.zones.map((z) => ({ hub: h.code, ...z }))))],
    );
    await client.query(
      `INSERT INTO categories (code, name)
       SELECT r.code, r.name FROM jsonb_to_recordset($1::jsonb) AS r(ord int, code text, name text)
        ORDER BY r.ord
       ON CONFLICT (code) DO NOTHING`,
      [withOrd(CATEGORIES.map(({ code, name }) => ({ code, name })))],
    );

    await client.query(
      `INSERT INTO consignors (code, name, legal_name, edrpou, iban, email, phone, plan, commission_bp, payment_terms_days, status)
       SELECT r.code, r.name, r."legalName", r.edrpou, r.iban, r.email, r.phone, r.plan, r."commissionBp", r."paymentTermsDays", 'active'
         FROM jsonb_to_recordset($1::jsonb) AS r(ord int, code text, name text, "legalName" text, edrpou text, iban text,
              email text, phone text, plan text, "commissionBp" int, "paymentTermsDays" int)
        ORDER BY r.ord`,
      [withOrd(data.consignors)],
    );
    await client.query(
      `INSERT INTO products (sku, consignor_id, category_id, name, short_description, long_description, price_kop, cost_kop,
                             weight_g, volume_ml, ingredients, allergens, shelf_life_days, storage)
       SELECT r.sku, c.id, cat.id, r.name, r."shortDescription", r."longDescription", r."priceKop", r."costKop",
              r."weightG", r."volumeMl", r.ingredients, r.allergens, r."shelfLifeDays", r.storage
         FROM jsonb_to_recordset($1::jsonb) AS r(ord int, sku text, "consignorCode" text, "categoryCode" text, name text,
              "shortDescription" text, "longDescription" text, "priceKop" bigint, "costKop" bigint, "weightG" int,
              "volumeMl" int, ingredients text[], allergens text[], "shelfLifeDays" int, storage text)
         JOIN consignors c ON c.code = r."consignorCode"
         JOIN categories cat ON cat.code = r."categoryCode"
        ORDER BY r.ord`,
      [withOrd(data.products)],
    );
    await client.query(
      `INSERT INTO batches (code, product_id, consignor_id, origin_hub_id, production_date, expiry_date, status)
       SELECT r.code, p.id, p.consignor_id, h.id, r."productionDate", r."expiryDate", r.status
         FROM jsonb_to_recordset($1::jsonb) AS r(ord int, code text, sku text, "originHub" text,
              "productionDate" date, "expiryDate" date, status text)
         JOIN products p ON p.sku = r.sku
         JOIN hubs h ON h.code = r."originHub"
        ORDER BY r.ord`,
      [withOrd(data.batches)],
    );
    // Every unit on hand needs a matching receipt so the movement journal reconciles with stock.
    const receipts = await client.query(
      `WITH placed AS (
         INSERT INTO stock (batch_id, hub_id, zone_id, qty_on_hand, qty_reserved)
         SELECT b.id, h.id, z.id, r.qty, 0
           FROM jsonb_to_recordset($1::jsonb) AS r(ord int, "batchCode" text, hub text, "zoneCode" text, qty int)
           JOIN batches b ON b.code = r."batchCode"
           JOIN hubs h ON h.code = r.hub
           JOIN hub_zones z ON z.hub_id = h.id AND z.code = r."zoneCode"
          ORDER BY r.ord
         RETURNING batch_id, hub_id, qty_on_hand
       )
       INSERT INTO stock_movements (batch_id, hub_id, kind, qty, reference, reason)
       SELECT placed.batch_id, placed.hub_id, 'receipt', placed.qty_on_hand, 'seed:' || b.code, 'demo data'
         FROM placed JOIN batches b ON b.id = placed.batch_id
        ORDER BY placed.batch_id, placed.hub_id`,
      [withOrd(data.stock)],
    );
    await client.query(
      `INSERT INTO buyers (code, name, tier, email, phone, city, discount_bp, payment_terms_days)
       SELECT r.code, r.name, r.tier, r.email, r.phone, r.city, r."discountBp", r."paymentTermsDays"
         FROM jsonb_to_recordset($1::jsonb) AS r(ord int, code text, name text, tier text, email text, phone text,
              city text, "discountBp" int, "paymentTermsDays" int)
        ORDER BY r.ord`,
      [withOrd(data.buyers)],
    );

    const counts = await readCounts(client);
    // A silent join miss (typo in a code) would drop rows; fail loudly instead of seeding a partial catalogue.
    if (
      counts.products !== data.products.length ||
      counts.batches !== data.batches.length ||
      receipts.rowCount !== data.stock.length
    ) {
      throw new Error(
        `seed mismatch: ${counts.products}/${data.products.length} products, ${counts.batches}/${data.batches.length} batches, ` +
          `${receipts.rowCount ?? 0}/${data.stock.length} stock rows`,
      );
    }
    await client.query('COMMIT');
    return { ...counts, created: true };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/greenfood';
  const pool = new pg.Pool({ connectionString: databaseUrl });
  try {
    const started = Date.now();
    const s = await seedDemoData(pool);
    console.log(
      `${s.created ? 'seeded' : 'already seeded'}: ${s.consignors} consignors, ${s.hubs} hubs, ${s.products} products, ` +
        `${s.batches} batches, ${s.buyers} buyers, ${s.stockUnits} units in stock (${Date.now() - started} ms)`,
    );
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
