/** Input and output of the onboarding crew's LLM tasks (plain types, importable from workflows). */
export interface OnboardingPlanInput {
  consignorName: string;
  plan: string;
  language: 'uk' | 'en';
  region?: string;
  products: { name: string; category: string }[];
  hubs: string[];
  /** Decided by code; the plan text explains it, it never adds or drops items. */
  checklist: { title: string; owner: string; dueDate?: string }[];
}
export interface OnboardingPlanOutput {
  plan: string;
}

export interface OnboardingCardCopyInput {
  consignorName: string;
  language: 'uk' | 'en';
  name: string;
  category: string;
  ingredients: string[];
  allergens: string[];
  weightG: number;
  volumeMl: number;
  storage: 'ambient' | 'chilled' | 'frozen';
  shelfLifeDays: number;
  /** The consignor's own description, if any. */
  sourceText?: string;
}
export interface OnboardingCardCopyOutput {
  shortDescription: string;
  longDescription: string;
}

export interface OnboardingRecommendationsInput {
  consignorName: string;
  language: 'uk' | 'en';
  plan: string;
  /** Formatted by code, e.g. "15.00 %". */
  commission: string;
  paymentTermsDays: number;
  firstSaleDate: string;
  firstPayoutDate: string;
  /** Launch checklist items still open, with owners and dates. */
  pending: string[];
  /** Weak spots code found: missing photos, pending merges, thin margins. */
  weakSpots: string[];
  metrics: string[];
}
export interface OnboardingRecommendationsOutput {
  recommendations: string;
}

export interface OnboardingLlmTasks {
  onboarding_plan: { input: OnboardingPlanInput; output: OnboardingPlanOutput };
  onboarding_card_copy: { input: OnboardingCardCopyInput; output: OnboardingCardCopyOutput };
  onboarding_recommendations: { input: OnboardingRecommendationsInput; output: OnboardingRecommendationsOutput };
}
