import { ConsignorCatalogCache } from '../../catalog/cache';
import { createDb } from '../../db/pool';
import { createRedis } from '../../db/redis';
import { formatUah } from '../../shared/money';
import { CliError, EXIT, type CliArea } from '../shared';

export const catalogArea: CliArea = {
  usage: ['catalog show <consignorCode> [--json]'],
  async run(command, args, flags, config) {
    if (command !== 'show') throw new CliError(`unknown catalog command: ${command ?? '(none)'}`, EXIT.badInput);
    const code = args[0];
    if (!code) throw new CliError('catalog show needs a consignor code (e.g. C001)', EXIT.badInput);
    const db = createDb(config.DATABASE_URL, 1, 'greenfood-cli');
    const redis = createRedis(config.REDIS_URL, 'greenfood-cli');
    try {
      const catalog = await new ConsignorCatalogCache({ db, redis, prefix: config.REDIS_PREFIX })
        .get(code)
        .catch((err: Error) => { throw new CliError(`cannot query Postgres: ${err.message}`, EXIT.unreachable); });
      if (!catalog) throw new CliError(`no consignor ${code}`, EXIT.badInput);
      if (flags.json) return console.log(JSON.stringify(catalog));
      console.log(`${catalog.consignorCode}: ${catalog.products.length} products (catalog v${catalog.version}, from ${catalog.source})`);
      for (const p of catalog.products) console.log(`  ${p.sku.padEnd(14)} ${formatUah(p.priceKop).padStart(12)}  ${p.name}`);
    } finally {
      redis.disconnect();
      await db.end();
    }
  },
};
