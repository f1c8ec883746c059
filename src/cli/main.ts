import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { catalogArea } from './commands/catalog';
import { orderArea } from './commands/orders';
import { campaignArea } from './commands/campaigns';
import { qualityArea } from './commands/quality';
import { settlementArea } from './commands/settlement';
import { chatArea } from './commands/chat';
import { vendorArea } from './commands/vendors';
import { CliError, EXIT, type CliArea } from './shared';

/** Each crew's commands live in src/cli/commands/<area>.ts and are registered here (one line each). */
const AREAS: Record<string, CliArea> = {
  order: orderArea,
  catalog: catalogArea,
  campaign: campaignArea,
  quality: qualityArea,
  settlement: settlementArea,
  chat: chatArea,
  vendor: vendorArea,
};

function usage(): string {
  const lines = Object.values(AREAS).flatMap((a) => a.usage).map((u) => `  npm run cli -- ${u}`);
  return `greenfood — GREENFOOD crews on Temporal\n\n${lines.join('\n')}\n\nExit codes: 0 ok, 1 the crew failed, 2 bad input, 3 Temporal or Postgres unreachable.`;
}

export async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: {
      priority: { type: 'string' },
      'no-wait': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      limit: { type: 'string', default: '20' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [areaName, command, ...args] = positionals;
  if (values.help === true || !areaName) return console.log(usage());
  const area = AREAS[areaName];
  if (!area) throw new CliError(`unknown command: ${positionals.join(' ')}\n\n${usage()}`, EXIT.badInput);
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, EXIT.badInput);
    throw err;
  }
  const { priority, 'no-wait': noWait, json, limit, help: _help, ...extra } = values;
  await area.run(command, args, {
    priority: typeof priority === 'string' ? priority : undefined,
    wait: noWait !== true,
    json: json === true,
    limit: Math.max(1, Number(limit) || 20),
    extra,
  }, config);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`error: ${(err as Error).message}`);
    process.exit(err instanceof CliError ? err.exitCode : 1);
  });
}
