import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { AgentActivities } from '../activities';
import type { LlmActivities } from '../activities/llm';
import type { AgentName, LlmResponse, LlmTaskIO, LlmTaskName } from '../llm/contract';
import { FailureType } from '../shared/errors';
import { AGENTS_TASK_QUEUE, llmTaskQueue } from '../shared/temporal';

export const DEFAULT_LLM_POOL = 'local';

/** Agent tools (SQL, routing, rendering) of every crew, at the crew's priority (and fairness key, when it has one). */
export function agentActivities(priorityKey: number, fairnessKey?: string) {
  return proxyActivities<AgentActivities>({
    taskQueue: AGENTS_TASK_QUEUE,
    priority: { priorityKey, ...(fairnessKey ? { fairnessKey } : {}) },
    // Agent tools are short SQL transactions; 15 s covers lock waits under contention, and a
    // worker that dies mid-step is detected that fast instead of stalling the crew.
    startToCloseTimeout: '15s',
    retry: {
      initialInterval: '500ms',
      backoffCoefficient: 2,
      maximumInterval: '10s',
      maximumAttempts: 20,
      nonRetryableErrorTypes: Object.values(FailureType),
    },
  });
}

export function llmActivities(priorityKey: number, pool: string = DEFAULT_LLM_POOL, fairnessKey?: string) {
  return proxyActivities<LlmActivities>({
    taskQueue: llmTaskQueue(pool),
    priority: { priorityKey, ...(fairnessKey ? { fairnessKey } : {}) },
    // A generation may legitimately take tens of seconds on a busy GPU; heartbeats (every second
    // while generating) reveal a dead node long before that.
    startToCloseTimeout: '90s',
    heartbeatTimeout: '10s',
    // Every LLM step has a deterministic fallback, so a crew never waits on LLMs for more than this.
    scheduleToCloseTimeout: '3m',
    retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 3 },
  });
}

export type AgentProxy = ReturnType<typeof agentActivities>;
export type LlmProxy = ReturnType<typeof llmActivities>;

export interface LlmStep<T extends LlmTaskName> {
  task: T;
  agent: AgentName;
  crew: string;
  step: string;
  input: LlmTaskIO[T]['input'];
  /** Shown in the Web UI next to the activity. */
  summary: string;
  /** What the step uses when the LLM is unavailable or its answers are rejected: decided by code alone. */
  fallback: () => LlmTaskIO[T]['output'];
}

export interface LlmStepOutcome<T extends LlmTaskName> {
  output: LlmTaskIO[T]['output'];
  usedFallback: boolean;
  response?: LlmResponse<T>;
}

/**
 * Runs one LLM call of an agent; after Temporal's retries are spent (bad answers included) the
 * step's deterministic fallback is used and journaled, so a crew never fails for want of an LLM.
 */
export async function generateOrFallback<T extends LlmTaskName>(llm: LlmProxy, agents: AgentProxy, step: LlmStep<T>): Promise<LlmStepOutcome<T>> {
  try {
    const response = (await llm.llmGenerate.executeWithOptions({ summary: step.summary }, [
      { task: step.task, agent: step.agent, crew: step.crew, step: step.step, input: step.input },
    ])) as LlmResponse<T>;
    return { output: response.output, usedFallback: false, response };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    await agents.journalLlmFallback({ crew: step.crew, step: step.step, agent: step.agent, reason: failureReason(err) });
    return { output: step.fallback(), usedFallback: true };
  }
}

export function failureReason(err: unknown): string {
  if (err instanceof ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
