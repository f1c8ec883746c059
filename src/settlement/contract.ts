import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PriorityTier } from '../shared/priority';
import type { SettlementFigures } from '../shared/settlement-math';

export const MONTHLY_SETTLEMENT_WORKFLOW = 'monthlySettlement';
export const SETTLE_CONSIGNOR_WORKFLOW = 'settleConsignor';
export const SCHEDULED_SETTLEMENT_WORKFLOW = 'scheduledMonthlySettlement';
export const MONTHLY_SETTLEMENT_CREW = 'monthly_settlement';
export const SETTLEMENT_SCHEDULE_ID = 'greenfood-monthly-settlement';
/** Base id of the workflows the schedule starts; Temporal appends the scheduled time. */
export const SETTLEMENT_SCHEDULE_WORKFLOW_ID = 'monthly-settlement-tick';

export const SETTLEMENT_DEFAULTS = {
  /** Children running at once per parent: enough to keep agents busy, few enough not to flood a shared queue. */
  parallelism: 20,
  /** Consignors per run before continue-as-new (~4 history events each keeps a run far below the limits). */
  batchSize: 100,
  /** How long proposed payouts wait for an operator; undecided ones then expire and carry over to next month. */
  decisionTimeoutHours: 7 * 24,
  /** Monthly reports run behind orders and dialogs unless an operator says otherwise. */
  priority: 'background' as PriorityTier,
};

export function settlementWorkflowId(period: string): string {
  return `settlement-${period}`;
}

export function consignorSettlementWorkflowId(period: string, consignorCode: string): string {
  return `settlement-${period}-${consignorCode}`;
}

/** Ledger idempotency keys: one fee and one payout transaction per consignor and period, ever. */
export function settlementLedgerKey(period: string, consignorCode: string, what: 'fees' | 'payout'): string {
  return `${consignorSettlementWorkflowId(period, consignorCode)}:${what}`;
}

export interface SettlementTotals {
  salesKop: number;
  returnsKop: number;
  commissionKop: number;
  feesKop: number;
  adjustmentsKop: number;
  netKop: number;
  payoutKop: number;
}

export const ZERO_TOTALS: SettlementTotals = { salesKop: 0, returnsKop: 0, commissionKop: 0, feesKop: 0, adjustmentsKop: 0, netKop: 0, payoutKop: 0 };

export function addToTotals(totals: SettlementTotals, f: SettlementFigures): SettlementTotals {
  return {
    salesKop: totals.salesKop + f.salesKop,
    returnsKop: totals.returnsKop + f.returnsKop,
    commissionKop: totals.commissionKop + f.commissionKop,
    feesKop: totals.feesKop + f.feesKop,
    adjustmentsKop: totals.adjustmentsKop + f.adjustmentsKop,
    netKop: totals.netKop + f.netKop,
    payoutKop: totals.payoutKop + f.payoutKop,
  };
}

export interface FailedConsignor {
  consignorCode: string;
  type?: string;
  reason: string;
}

/** What a parent run hands to its continuation: where it stopped and what it has summed so far. */
export interface SettlementCarry {
  run: number;
  /** Last consignor code processed; the next page starts after it. */
  cursor?: string;
  processed: number;
  /** Consignors whose statement already existed (a re-run): nothing was written for them. */
  reused: number;
  totals: SettlementTotals;
  /** The first failures (bounded, so the carried input stays small); failedCount has them all. */
  failed: FailedConsignor[];
  failedCount: number;
}

export interface MonthlySettlementInput {
  /** `YYYY-MM`, a month that is over in Kyiv. */
  period: string;
  /** Consignor codes; absent means every consignor past onboarding. */
  consignors?: string[];
  priority?: PriorityTier;
  parallelism?: number;
  batchSize?: number;
  /** Payouts up to this many kopiykas are approved without an operator (from config, via the client). */
  autoApproveMaxKop: number;
  decisionTimeoutHours?: number;
  llmPool?: string;
  /** Who started the run (operator, `schedule`). */
  requestedBy?: string;
  /** Set only by continue-as-new. */
  carry?: SettlementCarry;
}

export type ScheduledSettlementInput = Omit<MonthlySettlementInput, 'period' | 'carry'>;

export type PayoutStatus = 'proposed' | 'approved' | 'rejected' | 'expired' | 'nothing_to_pay';

export interface ConsignorSettlementInput {
  period: string;
  consignorCode: string;
  priority: PriorityTier;
  llmPool?: string;
}

export interface ConsignorSettlementResult {
  consignorCode: string;
  figures: SettlementFigures;
  payoutStatus: PayoutStatus;
  /** True when the statement existed already (a re-run): nothing was written. */
  reused: boolean;
  recommendationsFallback?: boolean;
}

export interface PayoutCounts {
  proposed: number;
  approved: number;
  autoApproved: number;
  rejected: number;
  expired: number;
  nothingToPay: number;
}

export type SettlementPhase = 'planning' | 'analytics' | 'computing' | 'compliance' | 'awaiting_decisions' | 'completed';

export interface SettlementStatus {
  period: string;
  phase: SettlementPhase;
  /** Which run of the continue-as-new chain answers. */
  run: number;
  processed: number;
  reused: number;
  failed: FailedConsignor[];
  failedCount: number;
  totals: SettlementTotals;
  pending: { consignorCode: string; payoutKop: number }[];
  payouts: PayoutCounts;
  /** ISO time after which undecided payouts expire. */
  decisionDeadline?: string;
}

export interface MonthlySettlementResult {
  period: string;
  runs: number;
  processed: number;
  reused: number;
  failed: FailedConsignor[];
  failedCount: number;
  totals: SettlementTotals;
  payouts: PayoutCounts;
  decisionsTimedOut: boolean;
  complianceFindings: number;
}

export interface ScheduledSettlementResult {
  period: string;
  scheduledAt: string;
  outcome: 'settled' | 'already-started';
  result?: MonthlySettlementResult;
}

export interface PayoutDecisionRequest {
  action: 'approve' | 'reject';
  /** Consignor codes; `all` (approve only) takes every pending payout. */
  consignors?: string[];
  all?: boolean;
  reason?: string;
  /** Who decides (operator login); recorded with the decision. */
  actor: string;
}

export interface PayoutDecisionOutcome {
  consignorCode: string;
  status: PayoutStatus;
  payoutKop: number;
  ledgerTxnId?: number;
}

export interface PayoutDecisionResult {
  decided: PayoutDecisionOutcome[];
  pending: number;
}

export const settlementStatusQuery = defineQuery<SettlementStatus>('settlementStatus');
export const decidePayoutsUpdate = defineUpdate<PayoutDecisionResult, [PayoutDecisionRequest]>('decidePayouts');

/**
 * Why a decision cannot be taken now, or undefined when it can. The workflow's Update validator
 * and the CLI share it, so an operator hears the same reason before and after the round trip.
 */
export function decisionProblem(request: PayoutDecisionRequest, phase: SettlementPhase, pending: ReadonlySet<string>): string | undefined {
  if (phase !== 'awaiting_decisions') return `payouts are not awaiting decisions (phase: ${phase})`;
  if (typeof request !== 'object' || request === null) return 'a decision is required';
  if (request.action !== 'approve' && request.action !== 'reject') return 'action must be approve or reject';
  if (typeof request.actor !== 'string' || request.actor.trim().length === 0) return 'actor (who decides) is required';
  const codes = request.consignors ?? [];
  if (!Array.isArray(codes) || codes.some((c) => typeof c !== 'string')) return 'consignors must be a list of codes';
  if (request.all === true) {
    if (request.action === 'reject') return 'reject needs explicit consignors, not all';
    if (codes.length > 0) return 'give either consignors or all, not both';
    if (pending.size === 0) return 'no payout is pending';
    return undefined;
  }
  if (codes.length === 0) return 'name the consignors (or approve all)';
  if (new Set(codes).size !== codes.length) return 'a consignor is named twice';
  const notPending = codes.filter((c) => !pending.has(c));
  if (notPending.length > 0) return `no pending payout for ${notPending.join(', ')}`;
  if (request.action === 'reject' && (typeof request.reason !== 'string' || request.reason.trim().length < 3)) return 'a rejection needs a reason';
  return undefined;
}
