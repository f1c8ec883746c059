/**
 * Monthly settlement arithmetic: pure, deterministic, integer kopiykas. Used by the settlement
 * activities (to compute statements), by the workflow (periods, auto-approval) and by tests
 * (to recompute expectations), so every party agrees to the kopiyka.
 */
import { applyBasisPoints } from './money';

// ---------------------------------------------------------------------------------------------
// Periods: `YYYY-MM`, calendar months in Europe/Kyiv.

const PERIOD_RE = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isPeriod(value: unknown): value is string {
  return typeof value === 'string' && PERIOD_RE.test(value) && Number(value.slice(0, 4)) >= 2000;
}

function parsePeriod(period: string): { year: number; month: number } {
  const m = PERIOD_RE.exec(period);
  if (!m) throw new RangeError(`not a period (YYYY-MM): ${period}`);
  return { year: Number(m[1]), month: Number(m[2]) };
}

function formatPeriod(year: number, month: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

export function previousPeriod(period: string): string {
  const { year, month } = parsePeriod(period);
  return month === 1 ? formatPeriod(year - 1, 12) : formatPeriod(year, month - 1);
}

export function nextPeriod(period: string): string {
  const { year, month } = parsePeriod(period);
  return month === 12 ? formatPeriod(year + 1, 1) : formatPeriod(year, month + 1);
}

/** Periods from `from` to `to`, both included. */
export function periodRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let p = from; p <= to; p = nextPeriod(p)) out.push(p);
  return out;
}

export function daysInPeriod(period: string): number {
  const { year, month } = parsePeriod(period);
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** First and day-after-last local dates of the period, as `YYYY-MM-DD`. */
export function periodDates(period: string): { start: string; end: string } {
  return { start: `${period}-01`, end: `${nextPeriod(period)}-01` };
}

/** Last Sunday of a month (UTC calendar), as a day of month. */
function lastSunday(year: number, month: number): number {
  const last = new Date(Date.UTC(year, month, 0));
  return last.getUTCDate() - last.getUTCDay();
}

/**
 * Kyiv's UTC offset in hours at an instant: +3 in summer time, +2 otherwise. Ukraine follows the
 * EU rule (last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC). Workflows cannot
 * rely on the host's tz database (replay must give the same answer everywhere), hence the rule
 * in code. Only the local month matters to callers, and the schedule fires at 02:00 on the 1st,
 * so even a future change of Ukraine's rule would not move a scheduled run into another month.
 */
export function kyivUtcOffsetHours(at: Date): number {
  const year = at.getUTCFullYear();
  const start = Date.UTC(year, 2, lastSunday(year, 3), 1);
  const end = Date.UTC(year, 9, lastSunday(year, 10), 1);
  const t = at.getTime();
  return t >= start && t < end ? 3 : 2;
}

/** The Kyiv-local calendar month an instant falls in. */
export function kyivPeriodOf(at: Date): string {
  const local = new Date(at.getTime() + kyivUtcOffsetHours(at) * 3_600_000);
  return formatPeriod(local.getUTCFullYear(), local.getUTCMonth() + 1);
}

/** The instant a period starts: 00:00 Kyiv time on its first day. */
export function periodStartInstant(period: string): Date {
  const { year, month } = parsePeriod(period);
  const naive = Date.UTC(year, month - 1, 1);
  // Clocks change on a last Sunday (the 25th or later), never around a 1st, so the offset at UTC
  // midnight of the 1st is the offset at local midnight too.
  return new Date(naive - kyivUtcOffsetHours(new Date(naive)) * 3_600_000);
}

/** A period can be settled once it is over in Kyiv. */
export function isPeriodClosed(period: string, now: Date): boolean {
  return now.getTime() >= periodStartInstant(nextPeriod(period)).getTime();
}

/** The period a run started at `scheduledAt` settles: the Kyiv month before the one it fires in. */
export function settledPeriodFor(scheduledAt: Date): string {
  return previousPeriod(kyivPeriodOf(scheduledAt));
}

/** When the schedule fires for a period: 02:00 Kyiv on the first day of the next month. */
export function scheduledFireTimeFor(period: string): Date {
  return new Date(periodStartInstant(nextPeriod(period)).getTime() + 2 * 3_600_000);
}

// ---------------------------------------------------------------------------------------------
// Fees GREENFOOD charges a consignor, defined here so statements, acts and tests agree.

export type StorageClass = 'ambient' | 'chilled' | 'frozen';

/** Storage fee per unit on hand per day, by temperature zone (cold storage costs more to run). */
export const STORAGE_FEE_KOP_PER_UNIT_DAY: Readonly<Record<StorageClass, number>> = { ambient: 2, chilled: 4, frozen: 6 };

/**
 * Logistics (inbound handling, picking and packing) is charged as a share of the goods that
 * stayed sold: 2 % of sales net of returns. Buyers pay delivery itself separately.
 */
export const LOGISTICS_FEE_BP = 200;

/**
 * Signed effect of a stock movement on units on hand. Reservations do not move goods;
 * `adjustment` carries no direction in the log and is audited by Compliance instead.
 */
export const STOCK_MOVEMENT_SIGN: Readonly<Record<string, -1 | 0 | 1>> = {
  receipt: 1, return: 1, transfer_in: 1, shipment: -1, write_off: -1, transfer_out: -1, reserve: 0, release: 0, adjustment: 0,
};

export function storageFeeKop(unitDays: Readonly<Partial<Record<StorageClass, number>>>): number {
  let fee = 0;
  for (const cls of ['ambient', 'chilled', 'frozen'] as const) {
    const days = unitDays[cls] ?? 0;
    if (!Number.isSafeInteger(days) || days < 0) throw new RangeError(`unit-days must be a non-negative integer, got ${days} (${cls})`);
    fee += days * STORAGE_FEE_KOP_PER_UNIT_DAY[cls];
  }
  return fee;
}

export function logisticsFeeKop(salesKop: number, returnsKop: number): number {
  return applyBasisPoints(Math.max(0, salesKop - returnsKop), LOGISTICS_FEE_BP);
}

// ---------------------------------------------------------------------------------------------
// The statement

/** What the ledger says about one consignor in one period. */
export interface SettlementLedgerFacts {
  /** What GREENFOOD still owed the consignor when the period started. */
  openingKop: number;
  /** Goods sold (after buyer discounts), from the consignor's order lines of sale transactions. */
  salesGrossKop: number;
  /** The consignor_payable credited by those sales (gross minus commission). */
  salesPayableKop: number;
  /** Goods of reversed sales (returns and cancellations). */
  returnsGrossKop: number;
  /** The consignor_payable debited back by those reversals. */
  returnsPayableKop: number;
  /** Manual corrections credited (+) or debited (−) to the consignor's payable. */
  adjustmentsKop: number;
  unitDays: Partial<Record<StorageClass, number>>;
}

export interface SettlementFigures {
  openingKop: number;
  salesKop: number;
  returnsKop: number;
  commissionKop: number;
  logisticsFeeKop: number;
  storageFeeKop: number;
  feesKop: number;
  adjustmentsKop: number;
  /** sales − returns − commission − fees + adjustments */
  netKop: number;
  /** opening + net: what GREENFOOD owes at the end of the period. */
  closingKop: number;
  /** Proposed payout: the closing balance when positive; a negative balance is carried over, never collected here. */
  payoutKop: number;
}

function assertKop(name: string, value: number) {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${name} must be an integer number of kopiykas, got ${value}`);
}

export function computeSettlement(facts: SettlementLedgerFacts): SettlementFigures {
  for (const [name, value] of Object.entries(facts)) if (typeof value === 'number') assertKop(name, value);
  const salesKop = facts.salesGrossKop;
  const returnsKop = facts.returnsGrossKop;
  // Commission is whatever the sales kept back from the payable, minus what the reversals gave back:
  // the ledger is the authority, so rounding done at sale time is reproduced exactly.
  const commissionKop = (facts.salesGrossKop - facts.salesPayableKop) - (facts.returnsGrossKop - facts.returnsPayableKop);
  const logistics = logisticsFeeKop(salesKop, returnsKop);
  const storage = storageFeeKop(facts.unitDays);
  const feesKop = logistics + storage;
  const netKop = salesKop - returnsKop - commissionKop - feesKop + facts.adjustmentsKop;
  const closingKop = facts.openingKop + netKop;
  return {
    openingKop: facts.openingKop,
    salesKop,
    returnsKop,
    commissionKop,
    logisticsFeeKop: logistics,
    storageFeeKop: storage,
    feesKop,
    adjustmentsKop: facts.adjustmentsKop,
    netKop,
    closingKop,
    payoutKop: Math.max(0, closingKop),
  };
}

/** The invariants every stored statement satisfies (also enforced by CHECK constraints). */
export function settlementInvariantViolations(f: SettlementFigures): string[] {
  const problems: string[] = [];
  if (f.feesKop !== f.logisticsFeeKop + f.storageFeeKop) problems.push('fees ≠ logistics + storage');
  if (f.netKop !== f.salesKop - f.returnsKop - f.commissionKop - f.feesKop + f.adjustmentsKop) problems.push('net ≠ sales − returns − commission − fees + adjustments');
  if (f.closingKop !== f.openingKop + f.netKop) problems.push('closing ≠ opening + net');
  if (f.payoutKop !== Math.max(0, f.closingKop)) problems.push('payout ≠ max(0, closing)');
  return problems;
}

/** What is carried into the next period once the payout is decided: paid money leaves the balance, unpaid stays. */
export function carriedOverKop(f: Pick<SettlementFigures, 'closingKop' | 'payoutKop'>, paid: boolean): number {
  return paid ? f.closingKop - f.payoutKop : f.closingKop;
}

export function isAutoApprovable(payoutKop: number, autoApproveMaxKop: number): boolean {
  return payoutKop > 0 && payoutKop <= autoApproveMaxKop;
}

// ---------------------------------------------------------------------------------------------
// Analytics and compliance thresholds (pure rules; activities supply the data).

/** Change from `previous` to `current` in basis points; undefined when there is no base to compare with. */
export function changeBp(previous: number, current: number): number | undefined {
  if (previous === 0) return undefined;
  return Math.round(((current - previous) * 10_000) / Math.abs(previous));
}

export function formatBp(bp: number | undefined): string {
  if (bp === undefined) return 'n/a';
  const sign = bp > 0 ? '+' : bp < 0 ? '−' : '';
  const abs = Math.abs(bp);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} %`;
}

export type Severity = 'info' | 'warning' | 'critical';

export const COMPLIANCE_RULES = {
  /** A write-off of at least this many units, or this much at retail price, is large. */
  largeWriteOffUnits: 50,
  largeWriteOffKop: 500_000,
  /** Returns above this share of a consignor's sales are atypical (and critical above the second). */
  atypicalReturnBp: 2_000,
  criticalReturnBp: 5_000,
  /** Price changes by more than this share are reported. */
  priceChangeWarnBp: 2_000,
  priceChangeCriticalBp: 5_000,
  /** Any manual balance correction is reported; above this it is critical. */
  criticalAdjustmentKop: 1_000_000,
} as const;

export function writeOffSeverity(units: number, retailKop: number): Severity | undefined {
  if (units >= COMPLIANCE_RULES.largeWriteOffUnits * 4 || retailKop >= COMPLIANCE_RULES.largeWriteOffKop * 4) return 'critical';
  if (units >= COMPLIANCE_RULES.largeWriteOffUnits || retailKop >= COMPLIANCE_RULES.largeWriteOffKop) return 'warning';
  return undefined;
}

export function returnRateSeverity(salesKop: number, returnsKop: number): Severity | undefined {
  if (returnsKop <= 0) return undefined;
  if (salesKop <= 0) return 'warning';
  const rate = Math.round((returnsKop * 10_000) / salesKop);
  if (rate >= COMPLIANCE_RULES.criticalReturnBp) return 'critical';
  if (rate >= COMPLIANCE_RULES.atypicalReturnBp) return 'warning';
  return undefined;
}

export function priceChangeSeverity(oldKop: number, newKop: number): Severity | undefined {
  const change = Math.abs(changeBp(oldKop, newKop) ?? 0);
  if (change >= COMPLIANCE_RULES.priceChangeCriticalBp) return 'critical';
  if (change >= COMPLIANCE_RULES.priceChangeWarnBp) return 'warning';
  return undefined;
}

export function adjustmentSeverity(amountKop: number, recorded: boolean): Severity {
  if (!recorded || Math.abs(amountKop) >= COMPLIANCE_RULES.criticalAdjustmentKop) return 'critical';
  return 'warning';
}

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, warning: 1, info: 2 };
