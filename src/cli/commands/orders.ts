import type { Config } from '../../config';
import { createDb } from '../../db/pool';
import { startFulfillOrder } from '../../orders/client';
import type { FulfillOrderResult } from '../../orders/contract';
import { FulfillOrderInputSchema, type ValidFulfillOrderInput } from '../../orders/schema';
import { formatUah } from '../../shared/money';
import { CliError, connect, EXIT, startCrewFromFile, uiLink, type CliArea, type CommonFlags } from '../shared';

function printResult(result: FulfillOrderResult) {
  console.log(`Order ${result.orderId}: ${result.status}, total ${formatUah(result.totalKop)} (goods ${formatUah(result.subtotalKop - result.discountKop)}, delivery ${formatUah(result.deliveryKop)}), pay by ${result.paymentDueDate}`);
  for (const line of result.lines) {
    console.log(`  ${line.lineNo}. ${line.sku} × ${line.qty} @ ${formatUah(line.unitPriceKop)}${line.substitutedFor ? ` (substitute for ${line.substitutedFor})` : ''}`);
  }
  for (const s of result.shipments) console.log(`  shipment ${s.hubCode}: ${s.carrier}, tracking ${s.trackingNumber}, ETA ${s.etaDate}`);
  if (result.fallbacks.length) console.log(`  LLM fallbacks used in: ${result.fallbacks.join(', ')}`);
  console.log(`\n${result.confirmationMessage}`);
}

function placeOrder(config: Config, file: string | undefined, flags: CommonFlags) {
  return startCrewFromFile<ValidFulfillOrderInput, FulfillOrderResult>({
    config, file, flags, command: 'order place', noun: 'order', schema: FulfillOrderInputSchema,
    // No pool in the file: the router picks one per LLM call (urgent → cloud, else the least-loaded local pool).
    start: startFulfillOrder,
    alreadyStarted: (input) => `Order ${input.orderId} was already submitted`,
    print: printResult,
  });
}

async function orderStatus(config: Config, orderId: string | undefined, json: boolean) {
  if (!orderId) throw new CliError('order status needs an order id', EXIT.badInput);
  const client = await connect(config);
  try {
    const description = await client.workflow.getHandle(`order-${orderId}`).describe().catch(() => undefined);
    if (!description) throw new CliError(`no order crew order-${orderId}`, EXIT.badInput);
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
      .catch((err: Error) => { throw new CliError(`cannot query Postgres: ${err.message}`, EXIT.unreachable); });
    if (json) return console.log(JSON.stringify(rows.rows));
    for (const r of rows.rows) {
      console.log(`${r.created}  ${r.id.padEnd(24)} ${r.status.padEnd(10)} ${r.priority.padEnd(10)} ${r.buyer.padEnd(6)} ${r.total_kop === null ? '' : formatUah(r.total_kop)}`);
    }
  } finally {
    await db.end();
  }
}

export const orderArea: CliArea = {
  usage: [
    'order place <order.json> [--priority vip|regular|background] [--no-wait] [--json]',
    'order status <orderId> [--json]',
    'order list [--limit 20] [--json]',
  ],
  async run(command, args, flags, config) {
    if (command === 'place') return placeOrder(config, args[0], flags);
    if (command === 'status') return orderStatus(config, args[0], flags.json);
    if (command === 'list') return listOrders(config, flags.limit, flags.json);
    throw new CliError(`unknown order command: ${command ?? '(none)'}`, EXIT.badInput);
  },
};
