import { defineQuery } from '@temporalio/workflow';
import type { PriorityTier } from '../shared/priority';

export const MARKETING_CAMPAIGN_WORKFLOW = 'marketingCampaign';
export const MARKETING_CAMPAIGN_CREW = 'marketing_campaign';

export function campaignWorkflowId(campaignId: string): string {
  return `campaign-${campaignId}`;
}

export const CAMPAIGN_CHANNELS = ['instagram', 'facebook', 'telegram', 'email', 'site_banner'] as const;
export type CampaignChannel = (typeof CAMPAIGN_CHANNELS)[number];

/** What the campaign is for; it decides the primary metric, the demand uplift and the discount ceiling. */
export const CAMPAIGN_OBJECTIVES = ['awareness', 'sales', 'launch', 'clear_stock'] as const;
export type CampaignObjective = (typeof CAMPAIGN_OBJECTIVES)[number];

/** What a client submits; checked at the CLI and again by the Assistant with zod. */
export interface MarketingCampaignInput {
  campaignId: string;
  name: string;
  /** The marketer's goal in their own words. */
  goal: string;
  objective?: CampaignObjective;
  /** SKUs to promote. */
  products: string[];
  channels: CampaignChannel[];
  /** Paid media budget in kopiykas. */
  budgetKop: number;
  /** First and last day of the campaign, YYYY-MM-DD, both inclusive. */
  startDate: string;
  endDate: string;
  priority?: PriorityTier;
  language?: 'uk' | 'en';
  /** LLM pool serving this crew's LLM calls; `local` by default. */
  llmPool?: string;
}

export type CampaignStep = 'assistant' | 'warehouse' | 'smm' | 'seo' | 'finance' | 'analytics';

export type ProductFlag = 'stock_below_demand' | 'expiring_units' | 'expires_before_campaign_end' | 'no_margin_for_discount';

export interface CampaignProductResult {
  sku: string;
  name: string;
  expectedUnits: number;
  sellableUnits: number;
  flags: ProductFlag[];
}

export interface CampaignResult {
  campaignId: string;
  status: 'ready';
  promoted: (CampaignProductResult & { discountBp: number; regularPriceKop: number; promoPriceKop: number; targetUnits: number })[];
  dropped: (CampaignProductResult & { reason: string })[];
  content: { channel: CampaignChannel; headline: string; promoCode: string }[];
  page: { slug: string; title: string };
  promoCodes: { code: string; channel: CampaignChannel; usageLimit: number; maxUnitsPerUse: number }[];
  kpis: { code: string; target: number; unit: KpiUnit }[];
  /** Steps whose LLM answer was replaced by the step's deterministic fallback. */
  fallbacks: CampaignStep[];
}

export type KpiUnit = 'people' | 'orders' | 'units' | 'kop' | 'bp';

export interface CampaignProgress {
  step: CampaignStep | 'done' | 'failed';
  completed: CampaignStep[];
}

export const campaignProgressQuery = defineQuery<CampaignProgress>('campaignProgress');
