import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Crew workflows only: cheap, CPU-bound workflow tasks never wait behind slow activities. */
export const CREWS_TASK_QUEUE = 'greenfood-crews';
/** Agents' tools: SQL on Postgres, routing, cache reads. */
export const AGENTS_TASK_QUEUE = 'greenfood-agents';

/** One LLM queue per GPU pool (a group of Ollama nodes) plus `cloud`, so each pool is served only by its own workers. */
export function llmTaskQueue(pool: string): string {
  return `greenfood-llm-${pool}`;
}

export const SearchAttr = {
  Crew: defineSearchAttributeKey('Crew', SearchAttributeType.KEYWORD),
  ConsignorId: defineSearchAttributeKey('ConsignorId', SearchAttributeType.KEYWORD),
  PriorityTier: defineSearchAttributeKey('PriorityTier', SearchAttributeType.KEYWORD),
  BuyerTier: defineSearchAttributeKey('BuyerTier', SearchAttributeType.KEYWORD),
  OrderId: defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD),
} as const;
