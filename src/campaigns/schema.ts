import { z } from 'zod';
import { PRIORITY_TIERS } from '../shared/priority';
import { CAMPAIGN_CHANNELS, CAMPAIGN_OBJECTIVES, type MarketingCampaignInput } from './contract';
import { campaignDays } from './rules';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD').refine((d) => {
  const parsed = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === d;
}, 'not a calendar date');

export const MAX_CAMPAIGN_DAYS = 92;

/** The campaign as any client may send it; checked at the CLI and again by the Assistant step. */
export const MarketingCampaignInputSchema = z
  .object({
    campaignId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'campaignId: letters, digits, "-" or "_", at most 64'),
    name: z.string().trim().min(3, 'name: at least 3 characters').max(120),
    goal: z.string().trim().min(3, 'goal is required').max(500),
    objective: z.enum(CAMPAIGN_OBJECTIVES).default('sales'),
    products: z.array(z.string().trim().min(1, 'empty SKU')).min(1, 'a campaign promotes at least one product').max(20),
    channels: z.array(z.enum(CAMPAIGN_CHANNELS)).min(1, 'at least one channel').max(CAMPAIGN_CHANNELS.length),
    budgetKop: z.number().int('budgetKop is whole kopiykas').positive('budgetKop must be greater than 0').max(100_000_000_000),
    startDate: isoDate,
    endDate: isoDate,
    priority: z.enum(PRIORITY_TIERS).default('background'),
    language: z.enum(['uk', 'en']).default('uk'),
    llmPool: z.string().regex(/^[a-z0-9-]+$/).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const dup = (list: readonly string[]) => list.find((x, i) => list.indexOf(x) !== i);
    const sku = dup(c.products);
    if (sku) ctx.addIssue({ code: 'custom', path: ['products'], message: `SKU ${sku} is listed twice` });
    const channel = dup(c.channels);
    if (channel) ctx.addIssue({ code: 'custom', path: ['channels'], message: `channel ${channel} is listed twice` });
    if (/^\d{4}-\d{2}-\d{2}$/.test(c.startDate) && /^\d{4}-\d{2}-\d{2}$/.test(c.endDate)) {
      const days = campaignDays(c.startDate, c.endDate);
      if (days < 1) ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'endDate is before startDate' });
      if (days > MAX_CAMPAIGN_DAYS) ctx.addIssue({ code: 'custom', path: ['endDate'], message: `a campaign lasts at most ${MAX_CAMPAIGN_DAYS} days` });
    }
  });

export type ValidMarketingCampaignInput = z.output<typeof MarketingCampaignInputSchema> & MarketingCampaignInput;

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
