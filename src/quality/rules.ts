/**
 * Batch & Quality decisions, all deterministic: expiry bands per category/storage, markdown depth by
 * days left, transfer-or-markdown choice, incident severity and actions, and the alert note used
 * when no LLM answer is available. Pure code, imported by the watch workflow and its activities.
 */
import { formatUah } from '../shared/money';
import type { AlertDraft, ExpiryCandidate, IncidentCategory, MarkdownOption, QualityIncidentInput, Severity, TransferOption } from './contract';
import { SEVERITIES } from './contract';

/**
 * Days before expiry at which a batch is alerted, per category (else per storage). Each band raises
 * one alert, so a batch is flagged again — with a deeper markdown — as its expiry gets closer.
 */
const BANDS_BY_CATEGORY: Record<string, number[]> = {
  bakery: [2, 1],
  dairy: [5, 3, 1],
};
const BANDS_BY_STORAGE: Record<ExpiryCandidate['storage'], number[]> = {
  ambient: [30, 14, 7, 3],
  chilled: [7, 3, 1],
  frozen: [14, 7, 3],
};
export const MAX_BAND_DAYS = 30;

export function expiryBands(category: string, storage: ExpiryCandidate['storage']): number[] {
  return BANDS_BY_CATEGORY[category] ?? BANDS_BY_STORAGE[storage];
}

/** The tightest band that still contains `daysLeft`; undefined while the batch is not yet in any. */
export function bandFor(daysLeft: number, bands: readonly number[]): number | undefined {
  const inside = bands.filter((b) => daysLeft <= b);
  return inside.length ? Math.min(...inside) : undefined;
}

/** Markdown depth by days left before expiry, in basis points (Finance caps it at the margin). */
export function markdownBpFor(daysLeft: number): number {
  if (daysLeft <= 1) return 5_000;
  if (daysLeft <= 3) return 3_000;
  if (daysLeft <= 7) return 2_000;
  if (daysLeft <= 14) return 1_000;
  return 500;
}

export function severityForDaysLeft(daysLeft: number): Severity {
  if (daysLeft <= 1) return 'critical';
  if (daysLeft <= 3) return 'high';
  if (daysLeft <= 7) return 'medium';
  return 'low';
}

/** A transfer takes up to 2 days and the goods need a few days on the shelf there. */
export const TRANSFER_MIN_DAYS_LEFT = 6;
/** Units of the category ordered to a hub's city in 28 days before it counts as "more demand". */
export const MIN_TRANSFER_DEMAND = 3;
export const DEMAND_WINDOW_DAYS = 28;

/** Picks the hub with the most demand for the category; a transfer only when it beats the holding hub. */
export function bestTransfer(candidate: ExpiryCandidate, demandByHub: ReadonlyMap<number, number>, hubs: readonly { id: number; code: string; storages: readonly string[] }[]): TransferOption | undefined {
  if (candidate.kind !== 'expiry_soon' || candidate.daysLeft < TRANSFER_MIN_DAYS_LEFT || candidate.mainHubFree <= 0) return undefined;
  const demandFrom = demandByHub.get(candidate.mainHubId) ?? 0;
  let best: { id: number; code: string; demand: number } | undefined;
  for (const hub of hubs) {
    if (hub.id === candidate.mainHubId || !hub.storages.includes(candidate.storage)) continue;
    const demand = demandByHub.get(hub.id) ?? 0;
    if (!best || demand > best.demand || (demand === best.demand && hub.id < best.id)) best = { id: hub.id, code: hub.code, demand };
  }
  if (!best || best.demand < MIN_TRANSFER_DEMAND || best.demand <= demandFrom) return undefined;
  return { batchId: candidate.batchId, toHubId: best.id, toHubCode: best.code, demandTo: best.demand, demandFrom, qty: candidate.mainHubFree };
}

/**
 * The action for one batch: write off once expired; else move it where it sells when there is time
 * and demand; else mark it down as far as the margin allows; else ask a person to inspect it.
 */
export function decideExpiryAction(c: ExpiryCandidate, watchDate: string, transfer?: TransferOption, markdown?: MarkdownOption): AlertDraft {
  const base = {
    batchId: c.batchId, batchCode: c.batchCode, productName: c.productName, hubCode: c.mainHubCode, watchDate,
    kind: c.kind, band: c.band, daysLeft: c.daysLeft,
  };
  if (c.kind === 'expired') return { ...base, severity: 'high', qty: c.onHand, proposal: 'write_off' };
  const severity = severityForDaysLeft(c.daysLeft);
  if (transfer) {
    return { ...base, severity, qty: transfer.qty, proposal: 'transfer', fromHubId: c.mainHubId, toHubId: transfer.toHubId, toHubCode: transfer.toHubCode };
  }
  if (markdown && markdown.markdownBp > 0) {
    return { ...base, severity, qty: c.free, proposal: 'markdown', markdownBp: markdown.markdownBp, markdownPriceKop: markdown.markdownPriceKop, regularPriceKop: markdown.regularPriceKop };
  }
  return { ...base, severity, qty: c.free, proposal: 'inspect' };
}

/** The proposal in one plain line (for the LLM prompt, the fallback note and the CLI). */
export function describeProposal(a: AlertDraft): string {
  switch (a.proposal) {
    case 'markdown':
      return `mark down ${(a.markdownBp ?? 0) / 100}%: ${formatUah(a.regularPriceKop ?? 0)} → ${formatUah(a.markdownPriceKop ?? 0)}`;
    case 'transfer':
      return `transfer ${a.qty} unit(s) from ${a.hubCode} to ${a.toHubCode ?? '?'}, where the category sells more`;
    case 'write_off':
      return `write off ${a.qty} expired unit(s)`;
    case 'withdraw':
      return `withdraw the remaining ${a.qty} unit(s) from sale pending inspection`;
    default:
      return a.kind === 'quality_incident' ? `inspect the batch (${a.qty} unit(s) on hand)` : `inspect: no margin left for a markdown (${a.qty} unit(s))`;
  }
}

function situation(a: AlertDraft): string {
  if (a.kind === 'expired') return `expired ${Math.abs(a.daysLeft ?? 0)} day(s) ago`;
  if (a.kind === 'quality_incident') return `quality incident${a.detail ? `: ${a.detail}` : ''}`;
  return a.daysLeft === 0 ? 'expires today' : `expires in ${a.daysLeft} day(s)`;
}

export function alertPromptLine(a: AlertDraft, index: number): string {
  return `${index + 1}. ${a.batchCode} · ${a.productName} · hub ${a.hubCode} · ${situation(a)} · ${a.qty} unit(s) · ${a.severity} · ${describeProposal(a)}`;
}

const UK_PROPOSAL: Record<AlertDraft['proposal'], string> = {
  markdown: 'уцінити', transfer: 'перемістити', write_off: 'списати', inspect: 'перевірити', withdraw: 'зняти з продажу',
};

export function fallbackAlertNote(a: AlertDraft): string {
  const when = a.kind === 'expired' ? `прострочена (${Math.abs(a.daysLeft ?? 0)} дн.)`
    : a.kind === 'quality_incident' ? 'інцидент якості'
      : a.daysLeft === 0 ? 'термін спливає сьогодні' : `до кінця терміну ${a.daysLeft} дн.`;
  const action = a.proposal === 'markdown' ? `${UK_PROPOSAL.markdown} на ${(a.markdownBp ?? 0) / 100}% до ${formatUah(a.markdownPriceKop ?? 0)}`
    : a.proposal === 'transfer' ? `${UK_PROPOSAL.transfer} ${a.qty} од. до хабу ${a.toHubCode ?? ''}, де категорія продається краще`
      : `${UK_PROPOSAL[a.proposal]} ${a.qty} од.`;
  return `Партія ${a.batchCode} (${a.productName}, хаб ${a.hubCode}): ${when}. Пропозиція: ${action}. Рівень: ${a.severity}.`;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ---- incidents ---------------------------------------------------------------------------------

/** The least severity a category of incident can have: safety issues are never "low". */
const CATEGORY_FLOOR: Record<IncidentCategory, Severity> = {
  allergen: 'critical', foreign_object: 'critical', spoilage: 'high', temperature: 'high',
  labeling: 'medium', packaging: 'low', taste: 'low', other: 'low',
};

export function incidentSeverity(category: IncidentCategory, reported?: Severity): Severity {
  const floor = SEVERITIES.indexOf(CATEGORY_FLOOR[category]);
  const given = reported ? SEVERITIES.indexOf(reported) : 0;
  return SEVERITIES[Math.max(floor, given)]!;
}

export function incidentActions(kind: QualityIncidentInput['kind'], severity: Severity, hasBatch: boolean): string[] {
  const actions: string[] = [];
  if (severity === 'critical') actions.push(hasBatch ? 'withdraw_batch' : 'identify_batch', 'notify_consignor', 'lab_test');
  else if (severity === 'high') actions.push(hasBatch ? 'inspect_batch' : 'identify_batch', 'notify_consignor');
  else if (severity === 'medium') actions.push('notify_consignor');
  else actions.push('log_for_trend');
  if (kind === 'complaint') actions.push('contact_buyer');
  return actions;
}

/** Whether an incident raises a batch alert (and which action it proposes). */
export function incidentAlertProposal(severity: Severity): 'withdraw' | 'inspect' | undefined {
  if (severity === 'critical') return 'withdraw';
  if (severity === 'high') return 'inspect';
  return undefined;
}

// ---- dates -------------------------------------------------------------------------------------

export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** The calendar day of an instant in a time zone, YYYY-MM-DD. */
export function dateInZone(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}
