import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleSpec } from '@temporalio/client';
import { loadConfig } from '../config';
import type { PriorityTier } from '../shared/priority';
import { scheduledFireTimeFor } from '../shared/settlement-math';
import { CREWS_TASK_QUEUE, SearchAttr } from '../shared/temporal';
import type { scheduledMonthlySettlement } from '../workflows/monthly-settlement';
import {
  MONTHLY_SETTLEMENT_CREW,
  SCHEDULED_SETTLEMENT_WORKFLOW,
  SETTLEMENT_SCHEDULE_ID,
  SETTLEMENT_SCHEDULE_WORKFLOW_ID,
  type ScheduledSettlementInput,
} from './contract';

export const SETTLEMENT_TIMEZONE = 'Europe/Kyiv';

/** 02:00 Kyiv on the 1st: the month is over, banks have the statement date, nobody is working yet. */
export function settlementScheduleSpec(): ScheduleSpec {
  return {
    calendars: [{ comment: 'monthly settlement: 1st of each month, 02:00 Kyiv', dayOfMonth: 1, hour: 2, minute: 0 }],
    timezone: SETTLEMENT_TIMEZONE,
  };
}

/**
 * BUFFER_ONE: a run that starts while the previous one is still open (waiting for payout decisions)
 * waits for it instead of running beside it or being dropped. Next month's opening balances are
 * this month's carried-over balances, so settlements must run one after another; SKIP would lose
 * the month (only a backfill would bring it back), ALLOW_ALL would compute on undecided balances.
 * The catch-up window (35 days) makes a run missed during an outage happen when the cluster is
 * back, up to the next month's run; older gaps are filled with `settlement schedule backfill`.
 */
export const SETTLEMENT_SCHEDULE_POLICIES = {
  overlap: ScheduleOverlapPolicy.BUFFER_ONE,
  catchupWindow: '35 days',
  pauseOnFailure: false,
} as const;
export const SETTLEMENT_CATCHUP_WINDOW_MS = 35 * 24 * 3_600_000;

export interface SettlementScheduleOptions {
  scheduleId?: string;
  /** Default from config (SETTLEMENT_AUTO_APPROVE_MAX_KOP); the schedule's args are fixed at install. */
  autoApproveMaxKop?: number;
  llmPool?: string;
  consignors?: string[];
  priority?: PriorityTier;
  parallelism?: number;
  batchSize?: number;
}

function scheduledInput(options: SettlementScheduleOptions): ScheduledSettlementInput {
  const config = options.autoApproveMaxKop === undefined ? loadConfig() : undefined;
  return {
    autoApproveMaxKop: options.autoApproveMaxKop ?? config!.SETTLEMENT_AUTO_APPROVE_MAX_KOP,
    // No pool: the router picks one per LLM call when the schedule fires.
    ...(options.llmPool ? { llmPool: options.llmPool } : {}),
    requestedBy: 'schedule',
    ...(options.consignors ? { consignors: options.consignors } : {}),
    ...(options.priority ? { priority: options.priority } : {}),
    ...(options.parallelism ? { parallelism: options.parallelism } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  };
}

function scheduleAction(options: SettlementScheduleOptions) {
  return {
    type: 'startWorkflow' as const,
    workflowType: SCHEDULED_SETTLEMENT_WORKFLOW,
    // Temporal appends the scheduled time, so each month's starter has its own id.
    workflowId: options.scheduleId && options.scheduleId !== SETTLEMENT_SCHEDULE_ID ? `${options.scheduleId}-tick` : SETTLEMENT_SCHEDULE_WORKFLOW_ID,
    taskQueue: CREWS_TASK_QUEUE,
    args: [scheduledInput(options)] as [ScheduledSettlementInput],
    staticSummary: 'Monthly settlement (scheduled): settles the previous month',
    typedSearchAttributes: [{ key: SearchAttr.Crew, value: MONTHLY_SETTLEMENT_CREW }],
  };
}

/**
 * Creates the monthly settlement schedule, or brings an existing one to this spec, action and
 * policies (idempotent; a paused schedule stays paused). Returns whether it was created.
 */
export async function installSettlementSchedule(client: Client, options: SettlementScheduleOptions = {}): Promise<{ scheduleId: string; created: boolean }> {
  const scheduleId = options.scheduleId ?? SETTLEMENT_SCHEDULE_ID;
  const action = scheduleAction(options);
  try {
    await client.schedule.create<typeof scheduledMonthlySettlement>({
      scheduleId,
      spec: settlementScheduleSpec(),
      action,
      policies: SETTLEMENT_SCHEDULE_POLICIES,
      state: { note: 'installed by settlement schedule install' },
    });
    return { scheduleId, created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await client.schedule.getHandle(scheduleId).update<typeof scheduledMonthlySettlement>((previous) => ({
    spec: settlementScheduleSpec(),
    action,
    policies: SETTLEMENT_SCHEDULE_POLICIES,
    state: { paused: previous.state.paused, note: previous.state.note ?? 'updated by settlement schedule install', remainingActions: previous.state.remainingActions },
  }));
  return { scheduleId, created: false };
}

export interface SettlementScheduleView {
  scheduleId: string;
  timezone?: string;
  calendars: { comment?: string; dayOfMonth: number[]; hour: number[]; minute: number[] }[];
  overlap: string;
  catchupWindowMs: number;
  paused: boolean;
  note?: string;
  workflowType: string;
  args: unknown[];
  nextActionTimes: string[];
  recentActions: { scheduledAt: string; takenAt: string; workflowId: string }[];
}

function expand(ranges: { start: number; end?: number; step?: number }[]): number[] {
  const out: number[] = [];
  for (const r of ranges) for (let v = r.start; v <= (r.end ?? r.start); v += Math.max(1, r.step ?? 1)) out.push(v);
  return out;
}

export function viewOf(d: ScheduleDescription): SettlementScheduleView {
  return {
    scheduleId: d.scheduleId,
    timezone: d.spec.timezone,
    calendars: (d.spec.calendars ?? []).map((c) => ({
      ...(c.comment ? { comment: c.comment } : {}),
      dayOfMonth: expand(c.dayOfMonth), hour: expand(c.hour), minute: expand(c.minute),
    })),
    overlap: d.policies.overlap ?? 'unspecified',
    catchupWindowMs: d.policies.catchupWindow,
    paused: d.state.paused,
    ...(d.state.note ? { note: d.state.note } : {}),
    workflowType: d.action.workflowType,
    args: [...((d.action.args ?? []) as readonly unknown[])],
    nextActionTimes: d.info.nextActionTimes.map((t) => t.toISOString()),
    recentActions: d.info.recentActions.map((a) => ({ scheduledAt: a.scheduledAt.toISOString(), takenAt: a.takenAt.toISOString(), workflowId: a.action.workflow.workflowId })),
  };
}

export async function describeSettlementSchedule(client: Client, scheduleId = SETTLEMENT_SCHEDULE_ID): Promise<SettlementScheduleView> {
  return viewOf(await client.schedule.getHandle(scheduleId).describe());
}

/** Runs the schedule's action now: settles the month before the current one (Kyiv). */
export async function triggerSettlementSchedule(client: Client, scheduleId = SETTLEMENT_SCHEDULE_ID): Promise<void> {
  // The schedule's own policy decides whether a still-open settlement makes this one wait.
  await client.schedule.getHandle(scheduleId).trigger(SETTLEMENT_SCHEDULE_POLICIES.overlap);
}

export async function pauseSettlementSchedule(client: Client, note: string, scheduleId = SETTLEMENT_SCHEDULE_ID): Promise<void> {
  await client.schedule.getHandle(scheduleId).pause(note);
}

export async function unpauseSettlementSchedule(client: Client, note: string, scheduleId = SETTLEMENT_SCHEDULE_ID): Promise<void> {
  await client.schedule.getHandle(scheduleId).unpause(note);
}

/**
 * Takes the schedule's action for each missed month from `from` to `to` (periods to settle), as if
 * their 1st-of-next-month 02:00 had just come. BUFFER_ALL runs them one after another, oldest
 * first, because each month opens with the balance the month before carried over.
 */
export async function backfillSettlementSchedule(client: Client, from: string, to: string, scheduleId = SETTLEMENT_SCHEDULE_ID): Promise<{ start: Date; end: Date }> {
  const minute = 60_000;
  const start = new Date(scheduledFireTimeFor(from).getTime() - minute);
  const end = new Date(scheduledFireTimeFor(to).getTime() + minute);
  await client.schedule.getHandle(scheduleId).backfill({ start, end, overlap: ScheduleOverlapPolicy.BUFFER_ALL });
  return { start, end };
}
