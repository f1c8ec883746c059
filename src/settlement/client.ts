import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../config';
import { formatUah } from '../shared/money';
import { priorityKeyOf } from '../shared/priority';
import { CREWS_TASK_QUEUE, SearchAttr } from '../shared/temporal';
import type { monthlySettlement } from '../workflows/monthly-settlement';
import {
  decidePayoutsUpdate,
  MONTHLY_SETTLEMENT_CREW,
  MONTHLY_SETTLEMENT_WORKFLOW,
  settlementStatusQuery,
  settlementWorkflowId,
  type MonthlySettlementInput,
  type PayoutDecisionRequest,
  type PayoutDecisionResult,
  type SettlementStatus,
} from './contract';
import type { SettlementRunRequest } from './schema';
import { startOnce } from '../client/start-once';

export type SettlementHandle = WorkflowHandle<typeof monthlySettlement>;

export interface StartedSettlement {
  handle: SettlementHandle;
  /** False when a settlement of this period is running already: that one is returned, nothing new starts. */
  started: boolean;
}

/**
 * The workflow input for a request: configuration the workflow must not read itself (it would not
 * be deterministic) is resolved here, once, and travels in the input.
 */
export function settlementInput(request: SettlementRunRequest, config: Pick<Config, 'SETTLEMENT_AUTO_APPROVE_MAX_KOP'>): MonthlySettlementInput {
  return {
    ...request,
    autoApproveMaxKop: config.SETTLEMENT_AUTO_APPROVE_MAX_KOP,
  };
}

/**
 * Starts the settlement of a period as `settlement-<period>`. Never two runs of a period at once
 * (conflict policy FAIL: a running one is returned instead). A period that finished may be run
 * again on purpose (ALLOW_DUPLICATE): every write is keyed by period and consignor, so a re-run
 * only re-reads the statements and waits for payouts still undecided; it pays nothing twice.
 */
export async function startMonthlySettlement(client: Client, input: MonthlySettlementInput): Promise<StartedSettlement> {
  const workflowId = settlementWorkflowId(input.period);
  const tier = input.priority ?? 'background';
  return startOnce<typeof monthlySettlement>(client, MONTHLY_SETTLEMENT_WORKFLOW, {
    workflowId,
    taskQueue: CREWS_TASK_QUEUE,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    priority: { priorityKey: priorityKeyOf(tier) },
    staticSummary: `Monthly settlement ${input.period} · ${input.consignors ? `${input.consignors.length} consignor(s)` : 'all consignors'} · ${tier.toUpperCase()}`,
    staticDetails: `Requested by ${input.requestedBy ?? 'unknown'}; payouts up to ${formatUah(input.autoApproveMaxKop)} are auto-approved; ` +
      `the rest wait for the decidePayouts Update.`,
    typedSearchAttributes: [
      { key: SearchAttr.Crew, value: MONTHLY_SETTLEMENT_CREW },
      { key: SearchAttr.PriorityTier, value: tier },
    ],
  });
}

/** Sends an approval or rejection to the period's running settlement; the workflow validates it first. */
export async function decidePayouts(client: Client, period: string, request: PayoutDecisionRequest): Promise<PayoutDecisionResult> {
  return client.workflow.getHandle(settlementWorkflowId(period)).executeUpdate(decidePayoutsUpdate, { args: [request] });
}

/** The live status of a running settlement, or undefined when none runs for the period. */
export async function liveSettlementStatus(client: Client, period: string): Promise<SettlementStatus | undefined> {
  const handle = client.workflow.getHandle(settlementWorkflowId(period));
  try {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return undefined;
    return await handle.query(settlementStatusQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** Polls until payouts are proposed (or the run ends): what "wait" means for a run that then waits days for decisions. */
export async function waitForProposals(handle: SettlementHandle, options: { pollMs?: number; timeoutMs?: number } = {}): Promise<SettlementStatus | undefined> {
  const deadline = Date.now() + (options.timeoutMs ?? 30 * 60_000);
  for (;;) {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') return undefined;
    const status = await handle.query(settlementStatusQuery).catch(() => undefined);
    if (status && (status.phase === 'awaiting_decisions' || status.phase === 'completed')) return status;
    if (Date.now() > deadline) throw new Error(`settlement ${handle.workflowId} did not reach the decision phase in time`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}
