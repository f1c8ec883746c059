/**
 * What a workflow may know about LLM calls: names and plain types only (no zod, no I/O),
 * so crew workflows can import it.
 */
import type { OrderLlmTasks } from './tasks/orders.contract';

export * from './tasks/orders.contract';

export const AGENTS = [
  'assistant', 'catalog', 'batch_quality', 'vendor_success', 'warehouse', 'logistics', 'seller',
  'customer_care', 'finance', 'smm', 'seo', 'analytics', 'compliance',
] as const;
export type AgentName = (typeof AGENTS)[number];

/**
 * Every LLM task of every crew, by name. Each crew declares its tasks' input/output types in
 * `src/llm/tasks/<crew>.contract.ts` and adds its interface to this `extends` list.
 */
export interface LlmTaskIO extends OrderLlmTasks {}
export type LlmTaskName = keyof LlmTaskIO;

export interface LlmRequest<T extends LlmTaskName = LlmTaskName> {
  task: T;
  agent: AgentName;
  crew: string;
  step: string;
  input: LlmTaskIO[T]['input'];
}

export interface LlmResponse<T extends LlmTaskName = LlmTaskName> {
  output: LlmTaskIO[T]['output'];
  provider: string;
  pool: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
}
