/**
 * What a workflow may know about LLM calls: names and plain types only (no zod, no I/O),
 * so crew workflows can import it.
 */
import type { OrderLlmTasks } from './tasks/orders.contract';
import type { SettlementLlmTasks } from './tasks/settlement.contract';
import type { CampaignLlmTasks } from './tasks/campaigns.contract';
import type { QualityLlmTasks } from './tasks/quality.contract';
import type { OnboardingLlmTasks } from './tasks/onboarding.contract';
import type { ConversationLlmTasks } from './tasks/conversations.contract';

export * from './tasks/orders.contract';
export * from './tasks/settlement.contract';
export * from './tasks/campaigns.contract';
export * from './tasks/quality.contract';
export * from './tasks/onboarding.contract';
export * from './tasks/conversations.contract';

export const AGENTS = [
  'assistant', 'catalog', 'batch_quality', 'vendor_success', 'warehouse', 'logistics', 'seller',
  'customer_care', 'finance', 'smm', 'seo', 'analytics', 'compliance',
] as const;
export type AgentName = (typeof AGENTS)[number];

/**
 * Every LLM task of every crew, by name. Each crew declares its tasks' input/output types in
 * `src/llm/tasks/<crew>.contract.ts` and adds its interface to this `extends` list.
 */
export interface LlmTaskIO extends OrderLlmTasks, SettlementLlmTasks, OnboardingLlmTasks, ConversationLlmTasks, CampaignLlmTasks, QualityLlmTasks {}
export type LlmTaskName = keyof LlmTaskIO;

export interface LlmRequest<T extends LlmTaskName = LlmTaskName> {
  task: T;
  agent: AgentName;
  crew: string;
  step: string;
  input: LlmTaskIO[T]['input'];
  /** The consignor the work belongs to: its cloud token budget is charged. */
  consignorId?: string;
}

export interface LlmResponse<T extends LlmTaskName = LlmTaskName> {
  output: LlmTaskIO[T]['output'];
  provider: string;
  pool: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
  /** Served from the response cache (or computed once for several identical calls). */
  cached?: boolean;
}

/** The router's answer: pools to try in order, and how long to queue first when a budget is spent. */
export interface LlmRoute {
  choices: { pool: string; kind: 'local' | 'cloud'; scheduleToStartMs?: number }[];
  /** Wait this long before calling (the consignor's cloud token budget for this minute is spent). */
  waitMs: number;
  reason: string;
}

export interface LlmRouteRequest {
  tier: 'vip' | 'regular' | 'background';
  consignorId?: string;
}
