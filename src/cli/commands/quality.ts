import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Config } from '../../config';
import { createDb } from '../../db/pool';
import { startBatchWatch, startQualityIncident, todayInKyiv } from '../../quality/client';
import type { BatchWatchResult, QualityIncidentResult } from '../../quality/contract';
import { isCalendarDate } from '../../quality/rules';
import { QualityIncidentInputSchema } from '../../quality/schema';
import { installBatchWatchSchedule } from '../../quality/schedule';
import { formatUah } from '../../shared/money';
import { CliError, connect, EXIT, readJsonFile, uiLink, type CliArea, type CommonFlags } from '../shared';

/**
 * `--date` is not a common flag: written `--date=2025-12-04` it arrives in `extra`; written
 * `--date 2025-12-04` the shared parser sets `extra.date = true` and leaves the day among the args.
 */
function dateFlag(flags: CommonFlags, args: readonly string[]): string | undefined {
  const value = flags.extra.date;
  if (value === undefined) return undefined;
  const date = typeof value === 'string' ? value : args.find((a) => /^\d{4}-\d{2}-\d{2}$/.test(a));
  if (date === undefined || !isCalendarDate(date)) throw new CliError(`--date must be YYYY-MM-DD, got ${String(date ?? value)}`, EXIT.badInput);
  return date;
}

async function awaitResult<T>(handle: { result(): Promise<T> }, what: string, info: object, json: boolean): Promise<T> {
  try {
    return await handle.result();
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      const cause = err.cause instanceof ApplicationFailure ? err.cause : undefined;
      const message = `${what} failed${cause?.type ? ` [${cause.type}]` : ''}: ${cause?.message ?? err.message}`;
      if (json) console.log(JSON.stringify({ ...info, error: { type: cause?.type, message } }));
      throw new CliError(message, EXIT.crewFailed);
    }
    throw err;
  }
}

async function runWatch(config: Config, args: readonly string[], flags: CommonFlags) {
  const date = dateFlag(flags, args) ?? todayInKyiv();
  const client = await connect(config);
  try {
    const handle = await startBatchWatch(client, { date });
    const info = { workflowId: handle.workflowId, date, webUi: uiLink(config, handle.workflowId) };
    if (!flags.json) console.log(`Batch & Quality watch ${date}: ${handle.workflowId}\nWeb UI: ${info.webUi}`);
    if (!flags.wait) {
      if (flags.json) console.log(JSON.stringify(info));
      return;
    }
    const result: BatchWatchResult = await awaitResult(handle, `watch ${date}`, info, flags.json);
    if (flags.json) return console.log(JSON.stringify({ ...info, result }));
    const t = result.transitions;
    const a = result.alerts;
    console.log(`Statuses: ${t.partly_sold} → partly_sold, ${t.sold_out} → sold_out, ${t.expired} → expired`);
    console.log(`Alerts: ${a.raised} new (${a.markdown} markdown, ${a.transfer} transfer, ${a.write_off} write-off, ${a.inspect} inspect); ` +
      `notes ${result.notes.llm} by LLM, ${result.notes.fallback} by template`);
  } finally {
    await client.connection.close();
  }
}

async function installSchedule(config: Config, json: boolean) {
  const client = await connect(config);
  try {
    const { description, created } = await installBatchWatchSchedule(client);
    const out = {
      scheduleId: description.scheduleId,
      created,
      calendars: description.spec.calendars,
      timezone: description.spec.timezone,
      overlap: description.policies.overlap,
      nextRuns: description.info.nextActionTimes.slice(0, 3).map((d) => d.toISOString()),
    };
    console.log(json ? JSON.stringify(out) : `Schedule ${out.scheduleId} ${created ? 'created' : 'updated'}: daily 06:00 ${out.timezone ?? ''}, overlap ${out.overlap}; next ${out.nextRuns.join(', ')}`);
  } finally {
    await client.connection.close();
  }
}

function printIncident(result: QualityIncidentResult) {
  console.log(`${result.kind} ${result.incidentId}: ${result.severity} (${result.category}) on ${result.productName}${result.batch ? `, batch ${result.batch.batchCode}` : ''}`);
  console.log(`  actions: ${result.actions.join(', ')}`);
  if (result.alert) console.log(`  batch alert: ${result.alert.proposal}${result.alert.recorded ? '' : ' (already raised today)'}\n  ${result.alert.note}`);
}

async function recordIncident(config: Config, file: string | undefined, flags: CommonFlags) {
  const raw = await readJsonFile(file, 'quality incident');
  const parsed = QualityIncidentInputSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CliError(`invalid incident: ${parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`, EXIT.badInput);
  }
  const client = await connect(config);
  try {
    const { handle, started } = await startQualityIncident(client, parsed.data);
    const info = { workflowId: handle.workflowId, started, webUi: uiLink(config, handle.workflowId) };
    if (!flags.json) console.log(`${started ? 'Started' : 'Already submitted; nothing new started:'} ${handle.workflowId}\nWeb UI: ${info.webUi}`);
    if (!flags.wait) {
      if (flags.json) console.log(JSON.stringify(info));
      return;
    }
    const result = await awaitResult(handle, `incident ${parsed.data.incidentId}`, info, flags.json);
    if (flags.json) console.log(JSON.stringify({ ...info, result }));
    else printIncident(result);
  } finally {
    await client.connection.close();
  }
}

async function listAlerts(config: Config, args: readonly string[], flags: CommonFlags) {
  const date = dateFlag(flags, args);
  const db = createDb(config.DATABASE_URL, 1, 'greenfood-cli');
  try {
    const rows = await db
      .query<{ watch_date: string; batch: string; product: string; kind: string; severity: string; days_left: number | null; qty: number;
        proposal: string; markdown_bp: number | null; markdown_price_kop: number | null; to_hub: string | null; note: string; note_source: string }>(
        `SELECT to_char(a.watch_date, 'YYYY-MM-DD') AS watch_date, b.code AS batch, p.name AS product, a.kind, a.severity, a.days_left, a.qty,
                a.proposal, a.markdown_bp, a.markdown_price_kop, h.code AS to_hub, a.note, a.note_source
         FROM quality_alerts a JOIN batches b ON b.id = a.batch_id JOIN products p ON p.id = b.product_id LEFT JOIN hubs h ON h.id = a.to_hub_id
         WHERE $1::date IS NULL OR a.watch_date = $1::date
         ORDER BY a.watch_date DESC, array_position(ARRAY['critical','high','medium','low'], a.severity), a.id LIMIT $2`, [date ?? null, flags.limit])
      .catch((err: Error) => { throw new CliError(`cannot query Postgres: ${err.message}`, EXIT.unreachable); });
    if (flags.json) return console.log(JSON.stringify(rows.rows));
    for (const r of rows.rows) {
      const action = r.proposal === 'markdown' ? `markdown −${(r.markdown_bp ?? 0) / 100}% → ${formatUah(r.markdown_price_kop ?? 0)}`
        : r.proposal === 'transfer' ? `transfer → ${r.to_hub ?? '?'}` : r.proposal;
      console.log(`${r.watch_date} ${r.severity.padEnd(8)} ${r.kind.padEnd(16)} ${r.batch.padEnd(18)} ${r.days_left ?? ''} d, ${r.qty} u · ${action} · ${r.product}`);
    }
  } finally {
    await db.end();
  }
}

export const qualityArea: CliArea = {
  usage: [
    'quality watch run [--date YYYY-MM-DD] [--no-wait] [--json]',
    'quality watch schedule [--json]          (install or update the daily 06:00 Europe/Kyiv Schedule)',
    'quality incident <incident.json> [--no-wait] [--json]',
    'quality alerts [--date YYYY-MM-DD] [--limit 20] [--json]',
  ],
  async run(command, args, flags, config) {
    if (command === 'watch' && args[0] === 'run') return runWatch(config, args, flags);
    if (command === 'watch' && args[0] === 'schedule') return installSchedule(config, flags.json);
    if (command === 'incident') return recordIncident(config, args[0], flags);
    if (command === 'alerts') return listAlerts(config, args, flags);
    throw new CliError(`unknown quality command: ${[command, ...args].filter(Boolean).join(' ') || '(none)'}`, EXIT.badInput);
  },
};
