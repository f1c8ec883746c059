import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CATALOG_TTL_SECONDS, ConsignorCatalogCache } from '../src/catalog/cache';
import { createDb } from '../src/db/pool';
import { createRedis } from '../src/db/redis';
import { DATABASE_URL, REDIS_URL, uniqueId } from './harness';

describe('catalog per consignor (cached)', () => {
  const db = createDb(DATABASE_URL, 2, 'greenfood-catalog-test');
  const redis = createRedis(REDIS_URL, 'greenfood-catalog-test');
  const prefix = uniqueId('catalog-test');
  const cache = new ConsignorCatalogCache({ db, redis, prefix });
  after(async () => {
    redis.disconnect();
    await db.end();
  });

  test('the second read comes from Redis with a 300 s TTL; a product change invalidates it', async () => {
    const first = await cache.get('C004');
    assert.ok(first && first.products.length > 0);
    assert.equal(first.source, 'db');
    const second = await cache.get('C004');
    assert.equal(second?.source, 'cache');
    assert.deepEqual(second?.products, first.products);
    const ttl = await redis.ttl(`${prefix}:catalog:C004:v${first.version}`);
    assert.ok(ttl > 0 && ttl <= CATALOG_TTL_SECONDS, `ttl ${ttl}`);

    const product = first.products[0]!;
    await db.query('UPDATE products SET price_kop = price_kop + 100 WHERE sku = $1', [product.sku]);
    try {
      const third = await cache.get('C004');
      assert.equal(third?.source, 'db', 'the change moved readers to a new version');
      assert.ok(third.version > first.version);
      assert.equal(third.products.find((p) => p.sku === product.sku)?.priceKop, product.priceKop + 100);
    } finally {
      await db.query('UPDATE products SET price_kop = price_kop - 100 WHERE sku = $1', [product.sku]);
    }
  });

  test('an unknown consignor has no catalog; Redis down falls back to Postgres', async () => {
    assert.equal(await cache.get('NO-SUCH'), undefined);
    const deadRedis = createRedis('redis://127.0.0.1:1/0', 'greenfood-dead');
    try {
      const catalog = await new ConsignorCatalogCache({ db, redis: deadRedis, prefix }).get('C005');
      assert.equal(catalog?.source, 'db');
      assert.ok(catalog.products.length > 0);
    } finally {
      deadRedis.disconnect();
    }
  });
});
