/** Input and output of the monthly settlement crew's LLM tasks (plain types, importable from workflows). */

/** Assistant: the run's plan and the data to collect, from facts code counted. */
export interface SettlementPlanInput {
  period: string;
  scope: string;
  consignors: number;
  saleTransactions: number;
  reversalTransactions: number;
  stockMovements: number;
  priceChanges: number;
  balanceAdjustments: number;
  steps: { agent: string; task: string }[];
}
export interface SettlementPlanOutput {
  summary: string;
  dataToCollect: string[];
}

/** Analytics & BI: a narrative over the turnover report code computed on the read replica. */
export interface SettlementAnalyticsInput {
  period: string;
  previousPeriod: string;
  totalTurnover: string;
  previousTurnover: string;
  change: string;
  topConsignors: { code: string; name: string; turnover: string; change: string }[];
  topProducts: { sku: string; name: string; turnover: string }[];
  hubs: { code: string; city: string; turnover: string }[];
  anomalies: { subject: string; kind: string; detail: string }[];
  sources: string[];
}
export interface SettlementAnalyticsOutput {
  headline: string;
  narrative: string;
  actions: { action: string; risk: string }[];
}

/** Compliance & Audit: a neutral narrative over the findings the rules produced. */
export interface SettlementComplianceInput {
  period: string;
  findings: { rule: string; severity: string; subject: string; detail: string }[];
  totalFindings: number;
  counts: { critical: number; warning: number; info: number };
}
export interface SettlementComplianceOutput {
  narrative: string;
  recommendations: string[];
}

/** Vendor Success: next month's advice for one consignor, each item tied to one of its figures. */
export interface SettlementRecommendationsInput {
  period: string;
  consignor: { code: string; name: string };
  facts: { key: string; label: string; value: string }[];
}
export interface SettlementRecommendationsOutput {
  summary: string;
  recommendations: { basedOn: string; action: string }[];
}

export interface SettlementLlmTasks {
  settlement_plan: { input: SettlementPlanInput; output: SettlementPlanOutput };
  settlement_analytics: { input: SettlementAnalyticsInput; output: SettlementAnalyticsOutput };
  settlement_compliance: { input: SettlementComplianceInput; output: SettlementComplianceOutput };
  settlement_recommendations: { input: SettlementRecommendationsInput; output: SettlementRecommendationsOutput };
}
