import type { z } from 'zod';
import type { LlmTaskIO, LlmTaskName } from './contract';
import { orderTasks } from './tasks/orders';
import { settlementTasks } from './tasks/settlement';
import { campaignTasks } from './tasks/campaigns';
import { qualityTasks } from './tasks/quality';
import { onboardingTasks } from './tasks/onboarding';
import { conversationTasks } from './tasks/conversations';

/**
 * Each LLM task: the answer's schema (sent to the model as a JSON schema and checked again here),
 * the user prompt, and semantic checks a schema cannot express. An answer that fails any of them
 * is never used: the call is retried and then the workflow takes the step's deterministic fallback.
 */
export interface LlmTaskDefinition<T extends LlmTaskName> {
  schema: (input: LlmTaskIO[T]['input']) => z.ZodType<LlmTaskIO[T]['output']>;
  prompt: (input: LlmTaskIO[T]['input']) => string;
  /** Returns a reason when the answer is well-formed but wrong for this input. */
  check?: (output: LlmTaskIO[T]['output'], input: LlmTaskIO[T]['input']) => string | undefined;
  /** True only when the prompt carries no personal data, so one answer may serve everybody. */
  cacheable?: boolean;
}

export type TaskTable = { [T in LlmTaskName]: LlmTaskDefinition<T> };

/** Each crew's task table is spread in here (one line per crew). */
export const LLM_TASKS: TaskTable = {
  ...orderTasks,
  ...settlementTasks,
  ...campaignTasks,
  ...qualityTasks,
  ...onboardingTasks,
  ...conversationTasks,
};

export function taskDefinition<T extends LlmTaskName>(task: T): LlmTaskDefinition<T> {
  return LLM_TASKS[task];
}
