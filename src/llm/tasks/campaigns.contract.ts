/** Input and output of the marketing_campaign crew's LLM tasks (plain types, importable from workflows). */
import type { CampaignChannel, CampaignObjective } from '../../campaigns/contract';

export interface CampaignPlanInput {
  campaignName: string;
  goal: string;
  objective: CampaignObjective;
  language: 'uk' | 'en';
  startDate: string;
  endDate: string;
  days: number;
  budget: string;
  channels: { channel: CampaignChannel; budget: string }[];
  products: { sku: string; name: string; category: string }[];
  /** Code-decided metrics the plan must be measured by. */
  metrics: string[];
  maxDiscountPercent: number;
}
export interface CampaignPlanOutput {
  summary: string;
  steps: string[];
  audience: string;
}

/** A product the SMM may talk about: in stock through the campaign's end. */
export interface PromotableProduct {
  sku: string;
  name: string;
  price: string;
  sellableUnits: number;
  /** Fewer units than the expected promo demand: say "limited". */
  limited: boolean;
}

export interface ChannelLimits {
  headline: number;
  body: number;
  callToAction: number;
  hashtags: number;
}

/** Public-facing: the marketer's internal goal is left out on purpose (it may name dropped products). */
export interface CampaignChannelContentInput {
  channel: CampaignChannel;
  campaignName: string;
  language: 'uk' | 'en';
  startDate: string;
  endDate: string;
  promoCode: string;
  maxDiscountPercent: number;
  landingPath: string;
  products: PromotableProduct[];
  /**
   * Products the campaign must not mention (requested but without stock through its end). Never
   * shown to the model — the prompt lists only promotable products; the check rejects any mention.
   */
  forbidden: { sku: string; name: string }[];
  limits: ChannelLimits;
}
export interface CampaignChannelContentOutput {
  headline: string;
  body: string;
  callToAction: string;
  hashtags: string[];
}

export interface CampaignSeoInput {
  campaignName: string;
  language: 'uk' | 'en';
  slug: string;
  startDate: string;
  endDate: string;
  maxDiscountPercent: number;
  products: { sku: string; name: string; category: string; price: string }[];
  forbidden: { sku: string; name: string }[];
}
export interface CampaignSeoOutput {
  title: string;
  metaDescription: string;
  h1: string;
  keywords: string[];
  faq: { question: string; answer: string }[];
}

export interface CampaignKpiBriefInput {
  campaignName: string;
  language: 'uk' | 'en';
  startDate: string;
  endDate: string;
  promoCodes: { code: string; channel: CampaignChannel }[];
  kpis: { code: string; label: string; target: string; measuredBy: string }[];
}
export interface CampaignKpiBriefOutput {
  brief: string;
  risks: string[];
}

export interface CampaignLlmTasks {
  campaign_plan: { input: CampaignPlanInput; output: CampaignPlanOutput };
  campaign_channel_content: { input: CampaignChannelContentInput; output: CampaignChannelContentOutput };
  campaign_seo: { input: CampaignSeoInput; output: CampaignSeoOutput };
  campaign_kpi_brief: { input: CampaignKpiBriefInput; output: CampaignKpiBriefOutput };
}
