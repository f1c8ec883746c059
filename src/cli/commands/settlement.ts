import { userInfo } from 'node:os';
import { WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../config';
import { createDb } from '../../db/pool';
import { decidePayouts, liveSettlementStatus, settlementInput, startMonthlySettlement, waitForProposals } from '../../settlement/client';
import { settlementWorkflowId, type MonthlySettlementResult, type PayoutDecisionRequest, type SettlementStatus } from '../../settlement/contract';
import {
  backfillSettlementSchedule,
  describeSettlementSchedule,
  installSettlementSchedule,
  pauseSettlementSchedule,
  triggerSettlementSchedule,
  unpauseSettlementSchedule,
  type SettlementScheduleView,
} from '../../settlement/schedule';
import { BackfillRangeSchema, describeIssues, parseConsignorList, PayoutDecisionSchema, SettlementRunRequestSchema } from '../../settlement/schema';
import { formatUah } from '../../shared/money';
import { isPriorityTier } from '../../shared/priority';
import { CliError, connect, EXIT, uiLink, type CliArea, type CommonFlags } from '../shared';

const STRING_FLAGS = ['consignors', 'reason', 'by', 'from', 'to', 'note', 'parallelism', 'batch-size', 'decision-timeout-hours'] as const;
const BOOLEAN_FLAGS = ['all'] as const;
type StringFlag = (typeof STRING_FLAGS)[number];

interface ParsedArgs {
  positionals: string[];
  values: Partial<Record<StringFlag, string>> & { all?: boolean };
}

/**
 * The CLI's shared parser knows only the common flags; ours arrive in `extra`. Written as
 * `--consignors=C001,C002` they carry their value; written as `--consignors C001,C002` the parser
 * sees a bare flag and a stray positional, which are paired back here in order of appearance.
 */
export function parseSettlementArgs(args: string[], extra: CommonFlags['extra'], positionalCount: number): ParsedArgs {
  const positionals = args.slice(0, positionalCount);
  const leftovers = args.slice(positionalCount);
  const values: ParsedArgs['values'] = {};
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) continue;
    if ((BOOLEAN_FLAGS as readonly string[]).includes(name)) {
      values.all = value === true || value === 'true';
      continue;
    }
    if (!(STRING_FLAGS as readonly string[]).includes(name)) {
      throw new CliError(`unknown flag --${name} (settlement flags: ${[...STRING_FLAGS, ...BOOLEAN_FLAGS].map((f) => `--${f}`).join(', ')})`, EXIT.badInput);
    }
    if (typeof value === 'string') values[name as StringFlag] = value;
    else {
      const next = leftovers.shift();
      if (next === undefined) throw new CliError(`--${name} needs a value`, EXIT.badInput);
      values[name as StringFlag] = next;
    }
  }
  if (leftovers.length > 0) throw new CliError(`unexpected argument(s): ${leftovers.join(' ')}`, EXIT.badInput);
  return { positionals, values };
}

function actor(values: ParsedArgs['values']): string {
  if (values.by) return values.by;
  let user = process.env.USER;
  try {
    user ??= userInfo().username;
  } catch {
    user ??= 'unknown';
  }
  return `cli:${user}`;
}

function intFlag(values: ParsedArgs['values'], name: StringFlag): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new CliError(`--${name} must be a whole number, got ${raw}`, EXIT.badInput);
  return n;
}

async function withClient<T>(config: Config, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(config);
  try {
    return await work(client);
  } finally {
    await client.connection.close();
  }
}

function printStatus(status: SettlementStatus) {
  const t = status.totals;
  console.log(`Settlement ${status.period}: ${status.phase} (run ${status.run}), ${status.processed} consignor(s) settled` +
    `${status.reused ? ` (${status.reused} already had statements)` : ''}${status.failedCount ? `, ${status.failedCount} failed` : ''}`);
  console.log(`  sales ${formatUah(t.salesKop)}, returns ${formatUah(t.returnsKop)}, commission ${formatUah(t.commissionKop)}, fees ${formatUah(t.feesKop)}, net ${formatUah(t.netKop)}, payouts ${formatUah(t.payoutKop)}`);
  const p = status.payouts;
  console.log(`  payouts: ${p.proposed} pending, ${p.approved} approved, ${p.autoApproved} auto-approved, ${p.rejected} rejected, ${p.expired} expired, ${p.nothingToPay} nothing to pay`);
  for (const f of status.failed) console.log(`  failed ${f.consignorCode}${f.type ? ` [${f.type}]` : ''}: ${f.reason}`);
  if (status.pending.length > 0) {
    console.log(`  awaiting decision${status.decisionDeadline ? ` until ${status.decisionDeadline}` : ''}:`);
    for (const x of status.pending.slice(0, 50)) console.log(`    ${x.consignorCode.padEnd(12)} ${formatUah(x.payoutKop)}`);
    if (status.pending.length > 50) console.log(`    … and ${status.pending.length - 50} more`);
    console.log(`  next: npm run cli -- settlement approve ${status.period} --all   (or --consignors C001,C002; reject with --reason)`);
  }
}

function printResult(result: MonthlySettlementResult) {
  const p = result.payouts;
  console.log(`Settlement ${result.period} completed in ${result.runs} run(s): ${result.processed} consignor(s), ${result.failedCount} failed, ` +
    `payouts ${formatUah(result.totals.payoutKop)} proposed; ${p.approved + p.autoApproved} approved (${p.autoApproved} automatically), ` +
    `${p.rejected} rejected, ${p.expired} expired; ${result.complianceFindings} compliance finding(s)`);
}

async function runPeriod(config: Config, args: string[], flags: CommonFlags) {
  const { positionals: [period], values } = parseSettlementArgs(args, flags.extra, 1);
  if (flags.priority !== undefined && !isPriorityTier(flags.priority)) throw new CliError(`--priority must be vip, regular or background, got ${flags.priority}`, EXIT.badInput);
  const parsed = SettlementRunRequestSchema.safeParse({
    period,
    ...(values.consignors !== undefined ? { consignors: parseConsignorList(values.consignors) } : {}),
    ...(flags.priority !== undefined ? { priority: flags.priority } : {}),
    parallelism: intFlag(values, 'parallelism'),
    batchSize: intFlag(values, 'batch-size'),
    decisionTimeoutHours: values['decision-timeout-hours'] === undefined ? undefined : Number(values['decision-timeout-hours']),
    requestedBy: actor(values),
  });
  if (!parsed.success) throw new CliError(`invalid settlement request: ${describeIssues(parsed.error)}`, EXIT.badInput);
  const input = settlementInput(parsed.data, config);
  await withClient(config, async (client) => {
    const { handle, started } = await startMonthlySettlement(client, input);
    const info = { workflowId: handle.workflowId, started, webUi: uiLink(config, handle.workflowId) };
    if (!flags.json) {
      console.log(started ? `Started ${handle.workflowId}` : `A settlement of ${input.period} is already running (${handle.workflowId}); nothing new started`);
      console.log(`Web UI: ${info.webUi}`);
    }
    if (!flags.wait) {
      if (flags.json) console.log(JSON.stringify(info));
      return;
    }
    try {
      const status = await waitForProposals(handle);
      if (status) {
        if (flags.json) console.log(JSON.stringify({ ...info, status }));
        else printStatus(status);
        return;
      }
      const result = await handle.result();
      if (flags.json) console.log(JSON.stringify({ ...info, result }));
      else printResult(result);
    } catch (err) {
      if (err instanceof WorkflowFailedError) {
        const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
        const message = `settlement ${input.period} failed${cause?.type ? ` [${cause.type}]` : ''}: ${cause?.message ?? err.message}`;
        if (flags.json) console.log(JSON.stringify({ ...info, error: { type: cause?.type, message } }));
        throw new CliError(message, EXIT.crewFailed);
      }
      throw err;
    }
  });
}

async function decide(config: Config, action: 'approve' | 'reject', args: string[], flags: CommonFlags) {
  const { positionals: [period], values } = parseSettlementArgs(args, flags.extra, 1);
  if (!period) throw new CliError(`settlement ${action} needs a period (YYYY-MM)`, EXIT.badInput);
  const parsed = PayoutDecisionSchema.safeParse({
    action,
    ...(values.consignors !== undefined ? { consignors: parseConsignorList(values.consignors) } : {}),
    ...(values.all ? { all: true } : {}),
    ...(values.reason !== undefined ? { reason: values.reason } : {}),
    actor: actor(values),
  });
  if (!parsed.success) throw new CliError(`invalid decision: ${describeIssues(parsed.error)}`, EXIT.badInput);
  const request: PayoutDecisionRequest = parsed.data;
  await withClient(config, async (client) => {
    let result;
    try {
      result = await decidePayouts(client, period, request);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        throw new CliError(`decision refused: ${err.cause?.message ?? err.message}`, EXIT.badInput);
      }
      if (err instanceof WorkflowNotFoundError) throw new CliError(`no settlement of ${period} is running (${settlementWorkflowId(period)})`, EXIT.badInput);
      throw new CliError(`decision not delivered: ${(err as Error).message}`, EXIT.badInput);
    }
    if (flags.json) return console.log(JSON.stringify(result));
    for (const d of result.decided) console.log(`${d.consignorCode.padEnd(12)} ${d.status.padEnd(9)} ${formatUah(d.payoutKop)}${d.ledgerTxnId ? ` (ledger txn ${d.ledgerTxnId})` : ''}`);
    console.log(`${result.decided.length} decided; ${result.pending} payout(s) still pending`);
  });
}

async function dbStatus(config: Config, period: string) {
  const db = createDb(config.DATABASE_URL, 1, 'greenfood-cli');
  try {
    const rows = await db.query<{ code: string; sales_kop: number; returns_kop: number; commission_kop: number; fees_kop: number; net_kop: number; closing_kop: number; payout_kop: number; status: string; actor: string | null; reason: string | null }>(
      `SELECT c.code, s.sales_kop, s.returns_kop, s.commission_kop, s.fees_kop, s.net_kop, s.closing_kop, s.payout_kop, p.status, d.actor, d.reason
       FROM settlement_statements s JOIN consignors c ON c.id = s.consignor_id JOIN settlement_payouts p ON p.statement_id = s.id
         LEFT JOIN settlement_decisions d ON d.payout_id = p.id
       WHERE s.period = $1 ORDER BY c.code`, [period])
      .catch((err: Error) => { throw new CliError(`cannot query Postgres: ${err.message}`, EXIT.unreachable); });
    const run = await db.query<{ status: string; updated: string }>(`SELECT status, to_char(updated_at, 'YYYY-MM-DD HH24:MI') AS updated FROM settlement_runs WHERE period = $1`, [period]);
    return { run: run.rows[0], statements: rows.rows };
  } finally {
    await db.end();
  }
}

async function status(config: Config, args: string[], flags: CommonFlags) {
  const { positionals: [period] } = parseSettlementArgs(args, flags.extra, 1);
  if (!period) throw new CliError('settlement status needs a period (YYYY-MM)', EXIT.badInput);
  const live = await withClient(config, (client) => liveSettlementStatus(client, period));
  if (live) {
    if (flags.json) return console.log(JSON.stringify({ live: true, status: live }));
    printStatus(live);
    return console.log(`Web UI: ${uiLink(config, settlementWorkflowId(period))}`);
  }
  const stored = await dbStatus(config, period);
  if (flags.json) return console.log(JSON.stringify({ live: false, ...stored }));
  if (!stored.run && stored.statements.length === 0) return console.log(`No settlement of ${period} yet. Start one: npm run cli -- settlement run ${period}`);
  console.log(`Settlement ${period}: ${stored.run?.status ?? 'no run record'}${stored.run ? ` (updated ${stored.run.updated})` : ''}, ${stored.statements.length} statement(s)`);
  for (const s of stored.statements) {
    console.log(`  ${s.code.padEnd(12)} sales ${formatUah(s.sales_kop).padStart(14)}  net ${formatUah(s.net_kop).padStart(14)}  payout ${formatUah(s.payout_kop).padStart(14)}  ${s.status}` +
      `${s.actor ? ` by ${s.actor}` : ''}${s.reason ? ` (${s.reason})` : ''}`);
  }
}

function printSchedule(view: SettlementScheduleView) {
  const cal = view.calendars.map((c) => `day ${c.dayOfMonth.join(',')} at ${c.hour.join(',')}:${c.minute.map((m) => String(m).padStart(2, '0')).join(',')}`).join('; ');
  console.log(`${view.scheduleId}: ${cal} ${view.timezone ?? 'UTC'}; overlap ${view.overlap}; catch-up window ${Math.round(view.catchupWindowMs / 86_400_000)} days; ${view.paused ? 'PAUSED' : 'active'}${view.note ? ` (${view.note})` : ''}`);
  console.log(`  starts ${view.workflowType} with ${JSON.stringify(view.args)}`);
  if (view.nextActionTimes.length) console.log(`  next runs: ${view.nextActionTimes.slice(0, 3).join(', ')}`);
  for (const a of view.recentActions.slice(-5)) console.log(`  ran ${a.workflowId} (scheduled ${a.scheduledAt})`);
}

async function schedule(config: Config, args: string[], flags: CommonFlags) {
  const [sub, ...rest] = args;
  const { values } = parseSettlementArgs(rest, flags.extra, 0);
  await withClient(config, async (client) => {
    if (sub === 'install') {
      const { scheduleId, created } = await installSettlementSchedule(client, { autoApproveMaxKop: config.SETTLEMENT_AUTO_APPROVE_MAX_KOP });
      const view = await describeSettlementSchedule(client, scheduleId);
      if (flags.json) return console.log(JSON.stringify({ created, schedule: view }));
      console.log(created ? `Created schedule ${scheduleId}` : `Schedule ${scheduleId} existed; brought up to date`);
      return printSchedule(view);
    }
    if (sub === 'show') {
      const view = await describeSettlementSchedule(client).catch((err: Error) => {
        throw new CliError(`no settlement schedule (${err.message}); create it: npm run cli -- settlement schedule install`, EXIT.badInput);
      });
      return flags.json ? console.log(JSON.stringify(view)) : printSchedule(view);
    }
    if (sub === 'trigger') {
      await triggerSettlementSchedule(client);
      return console.log(flags.json ? JSON.stringify({ triggered: true }) : 'Triggered: the schedule settles the previous month now (it waits if a settlement is still open)');
    }
    if (sub === 'pause' || sub === 'unpause') {
      const note = values.note ?? `${sub}d by ${actor(values)}`;
      await (sub === 'pause' ? pauseSettlementSchedule(client, note) : unpauseSettlementSchedule(client, note));
      return console.log(flags.json ? JSON.stringify({ paused: sub === 'pause', note }) : `Schedule ${sub}d: ${note}`);
    }
    if (sub === 'backfill') {
      const range = BackfillRangeSchema.safeParse({ from: values.from, to: values.to });
      if (!range.success) throw new CliError(`backfill needs --from YYYY-MM --to YYYY-MM: ${describeIssues(range.error)}`, EXIT.badInput);
      const window = await backfillSettlementSchedule(client, range.data.from, range.data.to);
      const out = { from: range.data.from, to: range.data.to, start: window.start.toISOString(), end: window.end.toISOString() };
      return console.log(flags.json ? JSON.stringify(out)
        : `Backfilling ${out.from} … ${out.to} (scheduled times ${out.start} … ${out.end}); months run one after another, oldest first`);
    }
    throw new CliError(`unknown schedule command: ${sub ?? '(none)'} (install, show, trigger, pause, unpause, backfill)`, EXIT.badInput);
  });
}

export const settlementArea: CliArea = {
  usage: [
    'settlement run <YYYY-MM> [--consignors C001,C002] [--priority vip|regular|background] [--parallelism 20] [--batch-size 100] [--decision-timeout-hours 168] [--no-wait] [--json]',
    'settlement approve <YYYY-MM> (--consignors C001,C002 | --all) [--by name] [--json]',
    'settlement reject <YYYY-MM> --consignors C001,C002 --reason "..." [--by name] [--json]',
    'settlement status <YYYY-MM> [--json]',
    'settlement schedule install|show|trigger|pause|unpause [--note "..."] [--json]',
    'settlement schedule backfill --from YYYY-MM --to YYYY-MM [--json]',
  ],
  async run(command, args, flags, config) {
    if (command === 'run') return runPeriod(config, args, flags);
    if (command === 'approve' || command === 'reject') return decide(config, command, args, flags);
    if (command === 'status') return status(config, args, flags);
    if (command === 'schedule') return schedule(config, args, flags);
    throw new CliError(`unknown settlement command: ${command ?? '(none)'}`, EXIT.badInput);
  },
};
