import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { loadConfig, type Config } from '../config';
import { createDb } from '../db/pool';
import { startFulfillOrder } from '../orders/client';
import { type FulfillOrderResult } from '../orders/contract';
import { formatUah } from '../shared/money';
import { describeIssues, FulfillOrderInputSchema } from '../orders/schema';
import { isPriorityTier } from '../shared/priority';

const USAGE = `greenfood — GREENFOOD crews on Temporal

  npm run cli -- order place <order.json> [--priority vip|regular|background] [--no-wait] [--json]
  npm run cli -- order status <orderId> [--json]
  npm run cli -- order list [--limit 20] [--json]

Exit codes: 0 ok, 1 the crew failed, 2 bad input, 3 Temporal or Postgres unreachable.`;

class CliError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

async function connect(config: Config): Promise<Client> {
  try {
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS, connectTimeout: '5s' });
    return new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  } catch (err) {
    throw new CliError(`cannot reach Temporal at ${config.TEMPORAL_ADDRESS} (${(err as Error).message}); is the platform running? (npm start)`, 3);
  }
}

function uiLink(config: Config, workflowId: string): string {
  return `${config.TEMPORAL_UI_URL}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows/${encodeURIComponent(workflowId)}`;
}

function printResult(result: FulfillOrderResult) {
  console.log(`Order ${result.orderId}: ${result.status}, total ${formatUah(result.totalKop)} (goods ${formatUah(result.subtotalKop - result.discountKop)}, delivery ${formatUah(result.deliveryKop)}), pay by ${result.paymentDueDate}`);
  for (const line of result.lines) {
    console.log(`  ${line.lineNo}. ${line.sku} × ${line.qty} @ ${formatUah(line.unitPriceKop)}${line.substitutedFor ? ` (substitute for ${line.substitutedFor})` : ''}`);
  }
  for (const s of result.shipments) console.log(`  shipment ${s.hubCode}: ${s.carrier}, tracking ${s.trackingNumber}, ETA ${s.etaDate}`);
  if (result.fallbacks.length) console.log(`  LLM fallbacks used in: ${result.fallbacks.join(', ')}`);
  console.log(`\n${result.confirmationMessage}`);
}

async function placeOrder(config: Config, file: string | undefined, flags: { priority?: string; wait: boolean; json: boolean }) {
  if (!file) throw new CliError('order place needs a JSON file', 2);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read order file ${file}: ${(err as Error).message}`, 2);
  }
  if (flags.priority !== undefined) {
    if (!isPriorityTier(flags.priority)) throw new CliError(`--priority must be vip, regular or background, got ${flags.priority}`, 2);
    if (typeof raw === 'object' && raw !== null) (raw as Record<string, unknown>).priority = flags.priority;
  }
  const parsed = FulfillOrderInputSchema.safeParse(raw);
  if (!parsed.success) throw new CliError(`invalid order: ${describeIssues(parsed.error)}`, 2);
  const input = { ...parsed.data, llmPool: parsed.data.llmPool ?? config.LLM_POOL };

  const client = await connect(config);
  const { handle, started } = await startFulfillOrder(client, input);
  const info = { workflowId: handle.workflowId, started, webUi: uiLink(config, handle.workflowId) };
  if (!flags.json) {
    console.log(started ? `Started ${handle.workflowId}` : `Order ${input.orderId} was already submitted; nothing new started (${handle.workflowId})`);
    console.log(`Web UI: ${info.webUi}`);
  }
  if (!flags.wait) {
    if (flags.json) console.log(JSON.stringify(info));
    return;
  }
  try {
    const result = await handle.result();
    if (flags.json) console.log(JSON.stringify({ ...info, result }));
    else printResult(result);
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
      const message = `order ${input.orderId} failed${cause?.type ? ` [${cause.type}]` : ''}: ${cause?.message ?? err.message}`;
      if (flags.json) console.log(JSON.stringify({ ...info, error: { type: cause?.type, message } }));
      throw new CliError(message, 1);
    }
    throw err;
  } finally {
    await client.connection.close();
  }
}

async function orderStatus(config: Config, orderId: string | undefined, json: boolean) {
  if (!orderId) throw new CliError('order status needs an order id', 2);
  const client = await connect(config);
  try {
    const handle = client.workflow.getHandle(`order-${orderId}`);
    const description = await handle.describe().catch(() => undefined);
    if (!description) throw new CliError(`no order crew order-${orderId}`, 2);
    const out = { workflowId: description.workflowId, status: description.status.name, started: description.startTime, closed: description.closeTime, webUi: uiLink(config, description.workflowId) };
    console.log(json ? JSON.stringify(out) : `${out.workflowId}: ${out.status} (started ${out.started.toISOString()})\nWeb UI: ${out.webUi}`);
  } finally {
    await client.connection.close();
  }
}

async function listOrders(config: Config, limit: number, json: boolean) {
  const db = createDb(config.DATABASE_URL, 1, 'greenfood-cli');
  try {
    const rows = await db
      .query<{ id: string; status: string; total_kop: number | null; buyer: string; priority: string; created: string }>(
        `SELECT o.id, o.status, o.total_kop, b.code AS buyer, o.priority, to_char(o.created_at, 'YYYY-MM-DD HH24:MI') AS created
         FROM orders o JOIN buyers b ON b.id = o.buyer_id ORDER BY o.created_at DESC LIMIT $1`, [limit])
      .catch((err: Error) => { throw new CliError(`cannot query Postgres: ${err.message}`, 3); });
    if (json) return console.log(JSON.stringify(rows.rows));
    for (const r of rows.rows) {
      console.log(`${r.created}  ${r.id.padEnd(24)} ${r.status.padEnd(10)} ${r.priority.padEnd(10)} ${r.buyer.padEnd(6)} ${r.total_kop === null ? '' : formatUah(r.total_kop)}`);
    }
  } finally {
    await db.end();
  }
}

export async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      priority: { type: 'string' },
      'no-wait': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      limit: { type: 'string', default: '20' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [area, command, arg] = positionals;
  if (values.help || !area) return console.log(USAGE);
  const config = loadConfig();
  if (area === 'order' && command === 'place') return placeOrder(config, arg, { priority: values.priority, wait: !values['no-wait'], json: values.json });
  if (area === 'order' && command === 'status') return orderStatus(config, arg, values.json);
  if (area === 'order' && command === 'list') return listOrders(config, Math.max(1, Number(values.limit) || 20), values.json);
  throw new CliError(`unknown command: ${positionals.join(' ')}\n\n${USAGE}`, 2);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`error: ${(err as Error).message}`);
    process.exit(err instanceof CliError ? err.exitCode : 1);
  });
}
