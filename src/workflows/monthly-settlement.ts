import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  executeChild,
  log,
  ParentClosePolicy,
  setCurrentDetails,
  setHandler,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  addToTotals,
  consignorSettlementWorkflowId,
  decidePayoutsUpdate,
  decisionProblem,
  MONTHLY_SETTLEMENT_CREW,
  SETTLEMENT_DEFAULTS,
  settlementStatusQuery,
  settlementWorkflowId,
  ZERO_TOTALS,
  type ConsignorSettlementInput,
  type ConsignorSettlementResult,
  type FailedConsignor,
  type MonthlySettlementInput,
  type MonthlySettlementResult,
  type PayoutDecisionOutcome,
  type PayoutDecisionRequest,
  type PayoutDecisionResult,
  type ScheduledSettlementInput,
  type ScheduledSettlementResult,
  type SettlementCarry,
  type SettlementStatus,
} from '../settlement/contract';
import { fallbackAnalytics, fallbackCompliance, fallbackPlan, fallbackRecommendations } from '../settlement/render';
import { FailureType } from '../shared/errors';
import { formatUah } from '../shared/money';
import { priorityKeyOf, type PriorityTier } from '../shared/priority';
import { isAutoApprovable, isPeriod, isPeriodClosed, settledPeriodFor } from '../shared/settlement-math';
import { SearchAttr } from '../shared/temporal';
import { agentActivities, failureReason, generateOrFallback, LlmCaller, type AgentProxy } from './proxies';

/** Decisions are written in chunks so one activity stays a short transaction even for hundreds of consignors. */
const DECISION_CHUNK = 100;
/** Failures carried through continue-as-new are capped; the count is not. */
const MAX_CARRIED_FAILURES = 50;

const TemporalScheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidInput, message, nonRetryable: true });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The application failure at the bottom of a child/activity failure chain, if any. */
function applicationCause(err: unknown): ApplicationFailure | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof ApplicationFailure) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function boundedInt(value: number | undefined, fallback: number, min: number, max: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw invalid(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  return v;
}

/**
 * The monthly settlement crew for one period: Assistant (plan) → Analytics (turnover report) →
 * Finance + Vendor Success (one child workflow per consignor, bounded parallelism, continue-as-new
 * after each batch) → Compliance (audit of the event logs) → payout decisions (auto-approve below
 * the threshold, the rest through the `decidePayouts` Update, undecided ones expire at the deadline).
 * Money is computed and written by activities under unique keys, so re-running a period pays nothing twice.
 */
export async function monthlySettlement(input: MonthlySettlementInput): Promise<MonthlySettlementResult> {
  const { workflowId } = workflowInfo();
  if (!isPeriod(input.period)) throw invalid(`period must be YYYY-MM, got ${String(input.period)}`);
  // Workflow time is deterministic: the check gives the same answer on replay.
  if (!isPeriodClosed(input.period, new Date())) throw invalid(`period ${input.period} is not over yet in Kyiv`);
  if (!Number.isSafeInteger(input.autoApproveMaxKop) || input.autoApproveMaxKop < 0) throw invalid('autoApproveMaxKop must be a non-negative integer');
  const parallelism = boundedInt(input.parallelism, SETTLEMENT_DEFAULTS.parallelism, 1, 200, 'parallelism');
  const batchSize = boundedInt(input.batchSize, SETTLEMENT_DEFAULTS.batchSize, 1, 1000, 'batchSize');
  const decisionTimeoutHours = input.decisionTimeoutHours ?? SETTLEMENT_DEFAULTS.decisionTimeoutHours;
  // Fractions of an hour are allowed (down to a second) so drills and tests can watch payouts expire.
  if (typeof decisionTimeoutHours !== 'number' || !(decisionTimeoutHours >= 1 / 3600 && decisionTimeoutHours <= 24 * 60)) {
    throw invalid(`decisionTimeoutHours must be from 1/3600 to ${24 * 60}, got ${String(input.decisionTimeoutHours)}`);
  }
  const decisionTimeoutMs = Math.round(decisionTimeoutHours * 3_600_000);
  const tier: PriorityTier = input.priority ?? SETTLEMENT_DEFAULTS.priority;
  const priorityKey = priorityKeyOf(tier);
  const llmPool = input.llmPool;
  const agents = agentActivities(priorityKey);
  const llm = new LlmCaller({ priorityKey, tier, ...(llmPool ? { pinnedPool: llmPool } : {}) });
  const { period } = input;
  const scope = input.consignors;

  const carry: SettlementCarry = input.carry
    ? { ...input.carry, failed: [...input.carry.failed] }
    : { run: 1, processed: 0, reused: 0, totals: ZERO_TOTALS, failed: [], failedCount: 0 };
  const pending = new Map<string, number>();
  const status: SettlementStatus = {
    period, phase: input.carry ? 'computing' : 'planning', run: carry.run, processed: carry.processed, reused: carry.reused,
    failed: carry.failed, failedCount: carry.failedCount, totals: carry.totals, pending: [],
    payouts: { proposed: 0, approved: 0, autoApproved: 0, rejected: 0, expired: 0, nothingToPay: 0 },
  };
  setHandler(settlementStatusQuery, () => ({
    ...status, processed: carry.processed, reused: carry.reused, failed: carry.failed, failedCount: carry.failedCount, totals: carry.totals,
    pending: [...pending].map(([consignorCode, payoutKop]) => ({ consignorCode, payoutKop })),
  }));

  // Decisions are serialised: each one is a ledger write and the pending set must not change under it.
  let deciding = false;
  const applyOutcomes = (outcomes: PayoutDecisionOutcome[], auto: boolean) => {
    for (const o of outcomes) {
      if (!pending.delete(o.consignorCode)) continue;
      status.payouts.proposed -= 1;
      if (o.status === 'approved') status.payouts[auto ? 'autoApproved' : 'approved'] += 1;
      else if (o.status === 'rejected') status.payouts.rejected += 1;
      else if (o.status === 'expired') status.payouts.expired += 1;
    }
  };
  setHandler(decidePayoutsUpdate, async (request: PayoutDecisionRequest): Promise<PayoutDecisionResult> => {
    await condition(() => !deciding);
    deciding = true;
    try {
      // Another decision may have taken some of these while this one waited its turn.
      const targets = (request.all === true ? [...pending.keys()] : request.consignors ?? []).filter((c) => pending.has(c));
      const decided: PayoutDecisionOutcome[] = [];
      for (const chunk of chunks(targets, DECISION_CHUNK)) {
        const outcomes = await agents.settlementDecidePayouts.executeWithOptions(
          { summary: `Finance: ${request.action} ${chunk.length} payout(s) by ${request.actor}` },
          [{ period, consignors: chunk, decision: request.action, actor: request.actor.trim(), reason: request.reason?.trim(), workflowId }]);
        applyOutcomes(outcomes, false);
        decided.push(...outcomes);
      }
      setCurrentDetails(`**awaiting decisions**: ${pending.size} payout(s) pending; last: ${request.action} by ${request.actor}`);
      return { decided, pending: pending.size };
    } finally {
      deciding = false;
    }
  }, {
    validator: (request: PayoutDecisionRequest) => {
      const problem = decisionProblem(request, status.phase, new Set(pending.keys()));
      if (problem) throw new Error(problem);
    },
  });

  if (!input.carry) {
    status.phase = 'planning';
    setCurrentDetails(`**assistant**: planning the settlement of ${period}`);
    const facts = await agents.settlementPlan.executeWithOptions(
      { summary: `Assistant: plan the settlement of ${period}` }, [{ period, consignors: scope, workflowId }]);
    const planInput = {
      period, scope: facts.scope, consignors: facts.consignors, saleTransactions: facts.saleTransactions,
      reversalTransactions: facts.reversalTransactions, stockMovements: facts.stockMovements, priceChanges: facts.priceChanges,
      balanceAdjustments: facts.balanceAdjustments,
      steps: [
        { agent: 'analytics', task: 'turnover by consignor, product and hub; month-over-month trend; anomalies' },
        { agent: 'finance', task: `statement, settlement act and proposed payout per consignor (${parallelism} at a time)` },
        { agent: 'vendor_success', task: 'recommendations per consignor grounded in its figures' },
        { agent: 'compliance', task: 'large write-offs, atypical returns, price changes, balance corrections' },
        { agent: 'finance', task: `auto-approve payouts up to ${formatUah(input.autoApproveMaxKop)}; the rest wait for an operator` },
      ],
    };
    const plan = await generateOrFallback(llm, agents, {
      task: 'settlement_plan', agent: 'assistant', crew: MONTHLY_SETTLEMENT_CREW, step: 'assistant', input: planInput,
      summary: 'Assistant: settlement plan (LLM)', fallback: () => fallbackPlan(planInput),
    });
    await agents.settlementRecordRunReport({ period, part: 'plan', report: { facts: planInput, ...plan.output, usedFallback: plan.usedFallback } });

    status.phase = 'analytics';
    setCurrentDetails(`**analytics**: turnover report for ${period}`);
    const analytics = await agents.settlementAnalytics.executeWithOptions(
      { summary: `Analytics: turnover by consignor, product and hub for ${period}` }, [{ period, consignors: scope }]);
    const narrative = await generateOrFallback(llm, agents, {
      task: 'settlement_analytics', agent: 'analytics', crew: MONTHLY_SETTLEMENT_CREW, step: 'analytics', input: analytics.input,
      summary: 'Analytics: report narrative (LLM)', fallback: () => fallbackAnalytics(analytics.input),
    });
    await agents.settlementRecordRunReport({ period, part: 'analytics', report: { ...analytics.report, ...narrative.output, usedFallback: narrative.usedFallback } });
  }

  status.phase = 'computing';
  const page = await agents.settlementListConsignors({ consignors: scope, after: carry.cursor, limit: batchSize });
  setCurrentDetails(`**finance**: run ${carry.run}, settling ${page.length} consignor(s) after ${carry.processed + carry.failedCount} done`);
  await settleBatch(page, { period, tier, priorityKey, llmPool, parallelism }, carry);
  if (page.length === batchSize) {
    // Children of this batch are all closed (the parent close policy would otherwise apply to them).
    await condition(allHandlersFinished);
    const next: MonthlySettlementInput = { ...input, carry: { ...carry, run: carry.run + 1, cursor: page[page.length - 1] } };
    return continueAsNew<typeof monthlySettlement>(next);
  }

  status.phase = 'compliance';
  setCurrentDetails(`**compliance**: auditing the event log of ${period}`);
  const compliance = await agents.settlementComplianceScan.executeWithOptions(
    { summary: `Compliance: rules over the event log of ${period}` }, [{ period, consignors: scope }]);
  const audit = await generateOrFallback(llm, agents, {
    task: 'settlement_compliance', agent: 'compliance', crew: MONTHLY_SETTLEMENT_CREW, step: 'compliance', input: compliance,
    summary: 'Compliance: neutral narrative (LLM)', fallback: () => fallbackCompliance(compliance),
  });
  await agents.settlementRecordRunReport({ period, part: 'compliance', report: { ...compliance, ...audit.output, usedFallback: audit.usedFallback } });

  const loadPending = async () => {
    const state = await agents.settlementPendingPayouts({ period, consignors: scope });
    pending.clear();
    for (const p of state.pending) pending.set(p.consignorCode, p.payoutKop);
    status.payouts = state.counts;
  };
  await loadPending();
  const autoApprovable = [...pending].filter(([, kop]) => isAutoApprovable(kop, input.autoApproveMaxKop)).map(([code]) => code);
  for (const chunk of chunks(autoApprovable, DECISION_CHUNK)) {
    const outcomes = await agents.settlementDecidePayouts.executeWithOptions(
      { summary: `Finance: auto-approve ${chunk.length} payout(s) up to ${formatUah(input.autoApproveMaxKop)}` },
      [{ period, consignors: chunk, decision: 'auto_approve', actor: 'auto-approve', reason: `payout ≤ ${formatUah(input.autoApproveMaxKop)}`, workflowId, autoApproveMaxKop: input.autoApproveMaxKop }]);
    applyOutcomes(outcomes, true);
  }

  status.phase = 'awaiting_decisions';
  const deadline = new Date(Date.now() + decisionTimeoutMs);
  status.decisionDeadline = deadline.toISOString();
  await agents.settlementRecordRunReport({ period, part: 'totals', report: carry.totals, status: 'awaiting_decisions' });
  setCurrentDetails(`**awaiting decisions**: ${pending.size} payout(s) pending until ${status.decisionDeadline}`);
  const allDecided = await condition(() => pending.size === 0 && !deciding, decisionTimeoutMs);
  let decisionsTimedOut = false;
  if (!allDecided) {
    await condition(() => !deciding);
    // Holding the decision lock while expiring: an operator's late decision waits, then finds nothing pending.
    deciding = true;
    decisionsTimedOut = pending.size > 0;
    // Undecided payouts are not paid: their balance carries over to next month's statement.
    for (const chunk of chunks([...pending.keys()], DECISION_CHUNK)) {
      const outcomes = await agents.settlementDecidePayouts.executeWithOptions(
        { summary: `Finance: expire ${chunk.length} undecided payout(s)` },
        [{ period, consignors: chunk, decision: 'expire', actor: 'system', reason: `no decision by ${status.decisionDeadline}`, workflowId }]);
      applyOutcomes(outcomes, false);
    }
    deciding = false;
  }
  status.phase = 'completed';
  await condition(allHandlersFinished);
  await agents.settlementRecordRunReport({ period, part: 'totals', report: carry.totals, status: 'completed' });
  setCurrentDetails(`**completed**: ${carry.processed} consignor(s), payouts ${formatUah(carry.totals.payoutKop)} proposed; ` +
    `${status.payouts.approved + status.payouts.autoApproved} approved, ${status.payouts.rejected} rejected, ${status.payouts.expired} expired`);
  return {
    period, runs: carry.run, processed: carry.processed, reused: carry.reused, failed: carry.failed, failedCount: carry.failedCount,
    totals: carry.totals, payouts: status.payouts, decisionsTimedOut, complianceFindings: compliance.totalFindings,
  };
}

interface BatchContext {
  period: string;
  tier: PriorityTier;
  priorityKey: number;
  llmPool?: string;
  parallelism: number;
}

/** Runs one child per consignor, at most `parallelism` at a time; a failed consignor is recorded, never fatal to the others. */
async function settleBatch(codes: string[], ctx: BatchContext, carry: SettlementCarry): Promise<void> {
  const recordFailure = (failure: FailedConsignor) => {
    carry.failedCount += 1;
    if (carry.failed.length < MAX_CARRIED_FAILURES) carry.failed.push(failure);
    log.warn('consignor settlement failed', { ...failure });
  };
  const settleOne = async (consignorCode: string): Promise<void> => {
    const args: ConsignorSettlementInput = { period: ctx.period, consignorCode, priority: ctx.tier, ...(ctx.llmPool ? { llmPool: ctx.llmPool } : {}) };
    try {
      const result = await executeChild(settleConsignor, {
        workflowId: consignorSettlementWorkflowId(ctx.period, consignorCode),
        args: [args],
        // A child only makes sense inside its period run: closing the parent must not leave one
        // behind to race a re-run of the same period. Continue-as-new waits for the batch first.
        parentClosePolicy: ParentClosePolicy.TERMINATE,
        // A re-run may re-execute a consignor: its writes are keyed by (period, consignor), so it pays nothing twice.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        priority: { priorityKey: ctx.priorityKey, fairnessKey: consignorCode },
        staticSummary: `Settlement ${ctx.period} · ${consignorCode}`,
        typedSearchAttributes: [
          { key: SearchAttr.Crew, value: MONTHLY_SETTLEMENT_CREW },
          { key: SearchAttr.ConsignorId, value: consignorCode },
          { key: SearchAttr.PriorityTier, value: ctx.tier },
        ],
      });
      carry.processed += 1;
      if (result.reused) carry.reused += 1;
      carry.totals = addToTotals(carry.totals, result.figures);
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        recordFailure({ consignorCode, type: FailureType.SettlementBlocked, reason: 'a settlement of this consignor and period is already running' });
      } else if (err instanceof ChildWorkflowFailure) {
        const cause = applicationCause(err.cause);
        recordFailure({ consignorCode, type: cause?.type ?? undefined, reason: cause?.message ?? failureReason(err) });
      } else {
        throw err;
      }
    }
  };
  const running = new Set<Promise<void>>();
  for (const code of codes) {
    while (running.size >= ctx.parallelism) await Promise.race(running);
    const task: Promise<void> = settleOne(code).finally(() => running.delete(task));
    running.add(task);
  }
  await Promise.all(running);
}

/**
 * One consignor's settlement: Finance (statement, act, fees, proposed payout — one transaction)
 * → Vendor Success (recommendations grounded in the statement). Activities carry the consignor
 * as fairness key, so one consignor's work never starves the others' on shared queues.
 */
export async function settleConsignor(input: ConsignorSettlementInput): Promise<ConsignorSettlementResult> {
  const { workflowId } = workflowInfo();
  const priorityKey = priorityKeyOf(input.priority);
  const fairness = { key: input.consignorCode };
  const agents: AgentProxy = agentActivities(priorityKey, fairness);
  const llm = new LlmCaller({
    priorityKey, tier: input.priority, fairness, consignorId: input.consignorCode, ...(input.llmPool ? { pinnedPool: input.llmPool } : {}),
  });
  try {
    setCurrentDetails(`**finance**: statement and act of ${input.consignorCode} for ${input.period}`);
    const statement = await agents.settlementComputeStatement.executeWithOptions(
      { summary: `Finance: statement, act and payout of ${input.consignorCode} for ${input.period}` },
      [{ period: input.period, consignorCode: input.consignorCode, workflowId }]);
    let recommendationsFallback: boolean | undefined;
    const recInput = statement.recommendationsInput;
    if (recInput) {
      setCurrentDetails(`**vendor success**: recommendations for ${input.consignorCode}`);
      const recs = await generateOrFallback(llm, agents, {
        task: 'settlement_recommendations', agent: 'vendor_success', crew: MONTHLY_SETTLEMENT_CREW, step: 'vendor_success', input: recInput,
        summary: `Vendor Success: recommendations for ${input.consignorCode} (LLM)`, fallback: () => fallbackRecommendations(recInput),
      });
      await agents.settlementRecordRecommendations.executeWithOptions({ summary: 'Vendor Success: store recommendations' }, [{
        period: input.period, consignorCode: input.consignorCode, recommendations: recs.output, usedFallback: recs.usedFallback,
      }]);
      recommendationsFallback = recs.usedFallback;
    }
    setCurrentDetails(`**done**: net ${formatUah(statement.figures.netKop)}, payout ${formatUah(statement.figures.payoutKop)} (${statement.payoutStatus})${statement.reused ? ', statement existed' : ''}`);
    return {
      consignorCode: input.consignorCode, figures: statement.figures, payoutStatus: statement.payoutStatus, reused: statement.reused,
      ...(recommendationsFallback !== undefined ? { recommendationsFallback } : {}),
    };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = applicationCause(err);
    throw ApplicationFailure.create({
      type: cause?.type ?? 'SettlementFailed', nonRetryable: true, cause: err,
      message: `settlement of ${input.consignorCode} for ${input.period} failed: ${failureReason(err)}`,
    });
  }
}

/** The schedule's static args cannot name the period, so it is derived from the time the run was scheduled for. */
function scheduledTime(): Date {
  const info = workflowInfo();
  const typed = info.typedSearchAttributes.get(TemporalScheduledStartTime);
  if (typed instanceof Date) return typed;
  // Servers that send the attribute without type metadata only show up in the untyped map.
  const legacy: unknown = info.searchAttributes?.TemporalScheduledStartTime?.[0];
  if (legacy instanceof Date) return legacy;
  if (typeof legacy === 'string' && !Number.isNaN(Date.parse(legacy))) return new Date(legacy);
  return info.startTime;
}

/**
 * What the Temporal Schedule starts each month (and on trigger and backfill): derives the period
 * from its scheduled time and runs `settlement-<period>` as a child. The child is abandoned on
 * close, so the settlement survives whatever happens to this short-lived starter; the starter
 * waits for it, so the schedule's overlap policy sees a settlement as running until it is decided.
 */
export async function scheduledMonthlySettlement(input: ScheduledSettlementInput): Promise<ScheduledSettlementResult> {
  const scheduledAt = scheduledTime();
  const period = settledPeriodFor(scheduledAt);
  const tier: PriorityTier = input.priority ?? SETTLEMENT_DEFAULTS.priority;
  setCurrentDetails(`Scheduled for ${scheduledAt.toISOString()}: settles ${period}`);
  try {
    const result = await executeChild(monthlySettlement, {
      workflowId: settlementWorkflowId(period),
      args: [{ ...input, period, requestedBy: input.requestedBy ?? 'schedule' }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      // A period that completed is not settled again by the schedule (catch-up, backfill); a failed one is.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
      priority: { priorityKey: priorityKeyOf(tier) },
      staticSummary: `Monthly settlement ${period} (scheduled)`,
      typedSearchAttributes: [
        { key: SearchAttr.Crew, value: MONTHLY_SETTLEMENT_CREW },
        { key: SearchAttr.PriorityTier, value: tier },
      ],
    });
    return { period, scheduledAt: scheduledAt.toISOString(), outcome: 'settled', result };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      log.info('settlement of this period already started or completed; nothing to do', { period });
      return { period, scheduledAt: scheduledAt.toISOString(), outcome: 'already-started' };
    }
    throw err;
  }
}
