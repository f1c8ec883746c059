import { Context } from '@temporalio/activity';
import type { Db } from '../db/pool';
import { recordAgentRun } from './journal';

export interface CommonActivityDeps {
  db: Db;
}

/** Activities every crew uses. */
export function createCommonActivities(deps: CommonActivityDeps) {
  return {
    /** Journals a step whose LLM answer was replaced by its deterministic fallback. */
    async journalLlmFallback(entry: { crew: string; step: string; agent: string; reason: string }): Promise<void> {
      const { info } = Context.current();
      await recordAgentRun(deps.db, {
        workflowId: info.workflowExecution?.workflowId ?? 'standalone',
        runId: info.workflowExecution?.runId ?? '',
        crew: entry.crew, step: entry.step, agent: entry.agent, kind: 'llm', latencyMs: 0, outcome: 'fallback', detail: entry.reason,
      });
    },
  };
}
