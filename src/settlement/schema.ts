import { z } from 'zod';
import { PRIORITY_TIERS } from '../shared/priority';
import { isPeriod, isPeriodClosed } from '../shared/settlement-math';

export const ConsignorCodeSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'consignor codes are letters, digits, "-" or "_" (at most 32)');

export const PeriodSchema = z.string().refine(isPeriod, 'period must be YYYY-MM (e.g. 2025-10)');

/** A period that is over in Kyiv, so it can be settled. `now` is injectable for tests. */
export function closedPeriodSchema(now: () => Date = () => new Date()) {
  return PeriodSchema.refine((p) => isPeriodClosed(p, now()), 'that month is not over yet in Kyiv; a period is settled after its last day');
}

/** A settlement run as an operator or a client asks for it; checked at the edge, again by the workflow. */
export const SettlementRunRequestSchema = z.object({
  period: closedPeriodSchema(),
  consignors: z.array(ConsignorCodeSchema).min(1).max(10_000)
    .refine((codes) => new Set(codes).size === codes.length, 'a consignor is listed twice').optional(),
  priority: z.enum(PRIORITY_TIERS).default('background'),
  parallelism: z.number().int().min(1).max(200).optional(),
  batchSize: z.number().int().min(1).max(1000).optional(),
  decisionTimeoutHours: z.number().min(1 / 3600).max(24 * 60).optional(),
  llmPool: z.string().regex(/^[a-z0-9-]+$/).optional(),
  requestedBy: z.string().trim().min(1).max(100).optional(),
}).strict();

export type SettlementRunRequest = z.output<typeof SettlementRunRequestSchema>;

export const PayoutDecisionSchema = z.object({
  action: z.enum(['approve', 'reject']),
  consignors: z.array(ConsignorCodeSchema).min(1).optional(),
  all: z.boolean().optional(),
  reason: z.string().trim().min(3, 'a reason has at least 3 characters').max(1000).optional(),
  actor: z.string().trim().min(1, 'who decides is required').max(100),
}).strict().superRefine((d, ctx) => {
  if (d.all === true && d.consignors) ctx.addIssue({ code: 'custom', message: 'give either --consignors or --all, not both' });
  if (d.all !== true && !d.consignors) ctx.addIssue({ code: 'custom', message: 'name the consignors (--consignors C001,C002) or use --all' });
  if (d.action === 'reject' && d.all === true) ctx.addIssue({ code: 'custom', message: 'reject needs explicit --consignors' });
  if (d.action === 'reject' && !d.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a rejection needs --reason' });
});

export const BackfillRangeSchema = z.object({ from: PeriodSchema, to: PeriodSchema })
  .refine((r) => r.from <= r.to, 'from must not be after to');

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/** `C001,C002` → ['C001', 'C002'] (blanks dropped). */
export function parseConsignorList(value: string): string[] {
  return value.split(',').map((c) => c.trim()).filter((c) => c.length > 0);
}
