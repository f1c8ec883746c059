import { Context } from '@temporalio/activity';
import type { Db } from '../db/pool';

export interface AgentRunRecord {
  workflowId: string;
  runId: string;
  crew: string;
  step: string;
  agent: string;
  kind: 'tool' | 'llm';
  provider?: string;
  pool?: string;
  model?: string;
  tokensIn?: number;
  tokensOut?: number;
  latencyMs: number;
  attempt?: number;
  outcome: 'ok' | 'invalid_output' | 'error' | 'fallback' | 'failed';
  detail?: string;
}

export async function recordAgentRun(db: Db, run: AgentRunRecord): Promise<void> {
  await db.query(
    `INSERT INTO agent_runs (workflow_id, run_id, crew, step, agent, kind, provider, pool, model,
                             tokens_in, tokens_out, latency_ms, attempt, outcome, detail)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
    [
      run.workflowId, run.runId, run.crew, run.step, run.agent, run.kind, run.provider ?? null, run.pool ?? null,
      run.model ?? null, run.tokensIn ?? 0, run.tokensOut ?? 0, Math.round(run.latencyMs), run.attempt ?? 1,
      run.outcome, run.detail?.slice(0, 1000) ?? null,
    ],
  );
}

/**
 * Runs one agent tool inside an activity and journals it (latency, attempt, outcome), success or
 * not. Journal failures are logged, never raised: the audit trail must not fail the business step.
 */
export async function journaledStep<T>(db: Db, entry: { crew: string; step: string; agent: string }, work: () => Promise<T>): Promise<T> {
  const { info } = Context.current();
  const started = Date.now();
  const journal = (outcome: 'ok' | 'failed', detail?: string) =>
    recordAgentRun(db, {
      workflowId: info.workflowExecution?.workflowId ?? 'standalone',
      runId: info.workflowExecution?.runId ?? '',
      ...entry,
      kind: 'tool',
      latencyMs: Date.now() - started,
      attempt: info.attempt,
      outcome,
      detail,
    }).catch((err: Error) => console.warn(`agent_runs journal write failed: ${err.message}`));
  try {
    const result = await work();
    await journal('ok');
    return result;
  } catch (err) {
    await journal('failed', (err as Error).message);
    throw err;
  }
}
