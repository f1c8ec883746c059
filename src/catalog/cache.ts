import type { Db } from '../db/pool';
import type { RedisClient } from '../db/redis';

export interface CatalogEntry {
  sku: string;
  name: string;
  category: string;
  priceKop: number;
  weightG: number;
  volumeMl: number;
  allergens: string[];
  shelfLifeDays: number;
  storage: string;
}

export interface ConsignorCatalog {
  consignorCode: string;
  version: number;
  products: CatalogEntry[];
  /** Where this answer came from: the cache, or Postgres (then cached). */
  source: 'cache' | 'db';
}

/** The seed plan's API-level cache: 300 s, and never older than the consignor's last product change. */
export const CATALOG_TTL_SECONDS = 300;

/**
 * The catalog of one consignor, cached in Redis under its catalog version (bumped by a trigger on
 * every product change), so a cached catalog is never stale: a change moves readers to a new key,
 * and the old one expires. Redis trouble falls back to Postgres.
 */
export class ConsignorCatalogCache {
  constructor(private readonly deps: { db: Db; redis: RedisClient; prefix: string; ttlSeconds?: number }) {}

  private key(consignorCode: string, version: number) {
    return `${this.deps.prefix}:catalog:${consignorCode}:v${version}`;
  }

  async get(consignorCode: string): Promise<ConsignorCatalog | undefined> {
    const versionRow = await this.deps.db.query<{ id: number; catalog_version: number }>('SELECT id, catalog_version FROM consignors WHERE code = $1', [consignorCode]);
    const consignor = versionRow.rows[0];
    if (!consignor) return undefined;
    const key = this.key(consignorCode, consignor.catalog_version);
    const cached = await this.deps.redis.get(key).catch(() => null);
    if (cached !== null) return { consignorCode, version: consignor.catalog_version, products: JSON.parse(cached) as CatalogEntry[], source: 'cache' };
    const rows = await this.deps.db.query<{ sku: string; name: string; category: string; price_kop: number; weight_g: number; volume_ml: number; allergens: string[]; shelf_life_days: number; storage: string }>(
      `SELECT p.sku, p.name, c.code AS category, p.price_kop, p.weight_g, p.volume_ml, p.allergens, p.shelf_life_days, p.storage
       FROM products p JOIN categories c ON c.id = p.category_id WHERE p.consignor_id = $1 AND p.active ORDER BY p.sku`, [consignor.id]);
    const products = rows.rows.map((r) => ({
      sku: r.sku, name: r.name, category: r.category, priceKop: r.price_kop, weightG: r.weight_g, volumeMl: r.volume_ml,
      allergens: r.allergens, shelfLifeDays: r.shelf_life_days, storage: r.storage,
    }));
    await this.deps.redis.set(key, JSON.stringify(products), 'EX', this.deps.ttlSeconds ?? CATALOG_TTL_SECONDS).catch(() => undefined);
    return { consignorCode, version: consignor.catalog_version, products, source: 'db' };
  }
}
