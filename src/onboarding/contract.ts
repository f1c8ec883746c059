import { defineQuery } from '@temporalio/workflow';
import type { PriorityTier } from '../shared/priority';

export const ONBOARD_VENDOR_WORKFLOW = 'onboardVendor';
export const ONBOARD_VENDOR_CREW = 'onboard_vendor';

/** One onboarding per legal entity: the EDRPOU is the business key. */
export function onboardingWorkflowId(edrpou: string): string {
  return `onboard-${edrpou}`;
}

export type StorageKind = 'ambient' | 'chilled' | 'frozen';
export type ConsignorPlan = 'starter' | 'standard' | 'premium';

/** Legal requisites; all are checked at the edge and again by the Assistant before anything is written. */
export interface VendorRequisites {
  legalName: string;
  /** 8 digits with a valid control digit (legal entities). */
  edrpou: string;
  /** Ukrainian IBAN: UA + 27 digits with valid ISO 13616 check digits. */
  iban: string;
}

export interface VendorContacts {
  person: string;
  email: string;
  /** +380 and 9 digits. */
  phone: string;
}

export interface VendorProductInput {
  name: string;
  /** Category code (`honey`, `cheese`, ...). */
  category: string;
  /** Retail shelf price in kopiykas; Finance checks it against the cost. */
  priceKop: number;
  /** What one unit costs the consignor, in kopiykas. */
  costKop: number;
  weightG: number;
  volumeMl: number;
  ingredients: string[];
  allergens: string[];
  shelfLifeDays: number;
  storage: StorageKind;
  media?: string[];
  /** The consignor's own words about the product; the Catalog agent writes the card copy from it. */
  description?: string;
  /** Units of the first batch the consignor brings to the hub. */
  initialQty: number;
  /** YYYY-MM-DD; today when omitted. */
  productionDate?: string;
}

/** What a client submits. Shape is checked again by the Assistant with zod (it may come from any client). */
export interface OnboardVendorInput {
  name: string;
  requisites: VendorRequisites;
  contacts: VendorContacts;
  plan: ConsignorPlan;
  region?: string;
  /** Hub codes the consignor prefers, best first; Warehouse uses them when they have the right temperature zone. */
  hubs: string[];
  products: VendorProductInput[];
  priority: PriorityTier;
  language?: 'uk' | 'en';
  /** LLM pool (GPU node group or `cloud`) that serves this crew's LLM calls; `local` by default. */
  llmPool?: string;
}

export type OnboardingStep = 'assistant' | 'catalog' | 'warehouse' | 'finance' | 'vendor_success';

export interface ChecklistItem {
  code: string;
  phase: 'onboarding' | 'launch';
  title: string;
  /** An agent name, `consignor` or `operator`. */
  owner: string;
  status: 'pending' | 'done';
  dueDate?: string;
}

export interface ProductCard {
  lineNo: number;
  productId: number;
  sku: string;
  name: string;
}

export interface MergeProposal {
  lineNo: number;
  proposalId: number;
  name: string;
  existingProductId: number;
  existingSku: string;
  existingName: string;
  similarity: number;
}

export interface BatchPlacement {
  lineNo: number;
  sku: string;
  batchCode: string;
  hubCode: string;
  zoneCode: string;
  /** True when the hub is one the consignor asked for. */
  requestedHub: boolean;
  qty: number;
  productionDate: string;
  expiryDate: string;
  expectedArrival: string;
}

export interface ExpiryRule {
  category: string;
  alertDaysBefore: number;
  markdownDaysBefore: number;
  minDaysToSell: number;
}

export interface PricingLine {
  lineNo: number;
  name: string;
  priceKop: number;
  costKop: number;
  commissionKop: number;
  consignorNetKop: number;
  /** Consignor's margin per unit after commission; negative means a loss on every sale. */
  consignorMarginKop: number;
}

export interface PricingModel {
  plan: ConsignorPlan;
  commissionBp: number;
  paymentTermsDays: number;
  payoutSchedule: 'monthly';
  lines: PricingLine[];
  warnings: string[];
}

export interface SuccessMetric {
  code: string;
  title: string;
  target: number;
  unit: string;
  dueDate: string;
}

export interface OnboardVendorResult {
  consignorId: number;
  consignorCode: string;
  status: 'active';
  plan: string;
  cards: ProductCard[];
  mergeProposals: MergeProposal[];
  placements: BatchPlacement[];
  expiryRules: ExpiryRule[];
  pricing: PricingModel;
  checklist: ChecklistItem[];
  metrics: SuccessMetric[];
  firstSaleDate: string;
  firstPayoutDate: string;
  recommendations: string;
  /** Steps whose LLM answer was replaced by the step's deterministic fallback. */
  fallbacks: OnboardingStep[];
}

export interface OnboardingProgress {
  step: OnboardingStep | 'compensating' | 'done' | 'failed';
  completed: OnboardingStep[];
  consignorId?: number;
  compensations: string[];
}

export const onboardingProgressQuery = defineQuery<OnboardingProgress>('onboardingProgress');
