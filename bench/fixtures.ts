/**
 * Benchmark data of its own, beside the seed: a category per run with well-stocked products (so
 * stock never runs out mid-run and the saga never fires), products that are sold out (so the
 * Seller has to ask the LLM for a substitute), and consignors with their own products for the
 * fairness scenario. Codes carry the run tag, so runs never collide in one database.
 */
import type { Db } from '../src/db/pool';

export interface BenchConsignor {
  id: number;
  code: string;
  skus: string[];
}

export interface BenchCatalog {
  tag: string;
  /** In stock, bench category: the lines of ordinary orders. */
  general: string[];
  /** Same category, no stock: a line with one of these needs a substitute (a second LLM call). */
  soldOut: string[];
  consignors: BenchConsignor[];
  buyers: Record<'retail' | 'b2b' | 'vip', string[]>;
}

export interface CatalogOptions {
  tag: string;
  generalProducts: number;
  soldOutProducts: number;
  consignors: number;
  productsPerConsignor: number;
}

/** Enough units that no benchmark can sell out a product (stock.qty_on_hand is an int4). */
const STOCK_PER_PRODUCT = 100_000_000;

export async function createCatalog(db: Db, options: CatalogOptions): Promise<BenchCatalog> {
  const { tag } = options;
  const category = await db.query<{ id: number }>(
    `INSERT INTO categories (code, name) VALUES ($1, $2) RETURNING id`, [`bench-${tag}`, `Бенчмарк ${tag}`]);
  const categoryId = category.rows[0]!.id;

  // Consignors of their own for fairness.
  // EDRPOU codes continue from the highest consignor id, so they stay unique however often this runs.
  const consignors = options.consignors > 0
    ? (await db.query<{ id: number; code: string }>(
      `INSERT INTO consignors (code, name, legal_name, edrpou, iban, email, phone, plan, commission_bp)
       SELECT 'BENCH-' || $1 || '-C' || i, 'Бенч-комітент ' || i, 'ФОП Бенч ' || i,
              '9' || lpad((m.id + i)::text, 9, '0'), 'UA' || lpad((m.id + i)::text, 27, '0'),
              'bench' || i || '@example.com', '+380500000000', 'standard', 1500
       FROM generate_series(1, $2::int) AS i, (SELECT coalesce(max(id), 0) AS id FROM consignors) AS m ORDER BY i
       RETURNING id, code`, [tag, options.consignors])).rows
    : [];

  // Ordinary products are spread over the seeded consignors, so single-line orders carry different
  // consignors' fairness keys and multi-line orders usually none, as in real traffic.
  const seeded = (await db.query<{ id: number }>(`SELECT id FROM consignors WHERE code NOT LIKE 'BENCH-%' ORDER BY id`)).rows.map((r) => r.id);
  if (seeded.length === 0) throw new Error('no consignor in the database: was it seeded?');
  const owner = (i: number) => seeded[i % seeded.length]!;
  const skus: string[] = [];
  const owners: number[] = [];
  const stocked: boolean[] = [];
  const general: string[] = [];
  const soldOut: string[] = [];
  for (let i = 0; i < options.generalProducts; i++) {
    const sku = `BN-${tag}-G${i}`.toUpperCase();
    skus.push(sku); owners.push(owner(i)); stocked.push(true); general.push(sku);
  }
  for (let i = 0; i < options.soldOutProducts; i++) {
    const sku = `BN-${tag}-S${i}`.toUpperCase();
    skus.push(sku); owners.push(owner(i)); stocked.push(false); soldOut.push(sku);
  }
  const benchConsignors: BenchConsignor[] = consignors.map((c, ci) => {
    const own: string[] = [];
    for (let j = 0; j < options.productsPerConsignor; j++) {
      const sku = `BN-${tag}-C${ci}-${j}`.toUpperCase();
      skus.push(sku); owners.push(c.id); stocked.push(true); own.push(sku);
    }
    return { id: c.id, code: c.code, skus: own };
  });

  await db.query(
    `INSERT INTO products (sku, consignor_id, category_id, name, price_kop, cost_kop, weight_g, volume_ml, shelf_life_days, storage)
     SELECT sku, owner, $3, 'Бенч-товар ' || sku, 5000 + (ord * 37) % 20000, (5000 + (ord * 37) % 20000) / 2, 400, 500, 365, 'ambient'
     FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS t(sku, owner, ord)`, [skus, owners, categoryId]);
  const inStock = skus.filter((_, i) => stocked[i]);
  await db.query(
    `WITH hub AS (SELECT id FROM hubs ORDER BY id LIMIT 1),
     b AS (
       INSERT INTO batches (code, product_id, consignor_id, origin_hub_id, production_date, expiry_date, status)
       SELECT 'B-' || p.sku, p.id, p.consignor_id, hub.id, current_date - 10, current_date + 300, 'in_stock'
       FROM products p, hub WHERE p.sku = ANY($1)
       RETURNING id, origin_hub_id),
     s AS (
       INSERT INTO stock (batch_id, hub_id, zone_id, qty_on_hand)
       SELECT b.id, b.origin_hub_id, (SELECT z.id FROM hub_zones z WHERE z.hub_id = b.origin_hub_id AND z.temperature_zone = 'ambient' LIMIT 1), $2
       FROM b RETURNING batch_id, hub_id)
     INSERT INTO stock_movements (batch_id, hub_id, kind, qty, reference)
     SELECT batch_id, hub_id, 'receipt', $2, 'bench ' || $3 FROM s`, [inStock, STOCK_PER_PRODUCT, tag]);

  const buyers: BenchCatalog['buyers'] = { retail: [], b2b: [], vip: [] };
  const rows = await db.query<{ code: string; tier: 'retail' | 'b2b' | 'vip' }>('SELECT code, tier FROM buyers ORDER BY id');
  for (const r of rows.rows) buyers[r.tier].push(r.code);
  for (const tier of ['retail', 'b2b', 'vip'] as const) {
    if (buyers[tier].length === 0) throw new Error(`no ${tier} buyer in the database: was it seeded?`);
  }
  return { tag, general, soldOut, consignors: benchConsignors, buyers };
}
