import { Context } from '@temporalio/activity';
import type { Db } from '../db/pool';
import { recordLlmFallback } from '../observability/metrics';
import { recordAgentRun } from './journal';

export interface CommonActivityDeps {
  db: Db;
}

/** Activities every crew uses. */
export function createCommonActivities(deps: CommonActivityDeps) {
  return {
    /**
     * Journals an LLM detour: `pool` when a call moved to the next pool, `deterministic` when the
     * step's code fallback replaced the LLM's answer.
     */
    async journalLlmFallback(entry: { crew: string; step: string; agent: string; kind: 'pool' | 'deterministic'; reason: string }): Promise<void> {
      const { info } = Context.current();
      recordLlmFallback(entry.kind === 'pool' ? 'provider' : 'deterministic', entry.agent, entry.crew);
      await recordAgentRun(deps.db, {
        workflowId: info.workflowExecution?.workflowId ?? 'standalone',
        runId: info.workflowExecution?.runId ?? '',
        crew: entry.crew, step: entry.step, agent: entry.agent, kind: 'llm', latencyMs: 0, outcome: 'fallback', detail: `${entry.kind}: ${entry.reason}`,
      });
    },
  };
}
