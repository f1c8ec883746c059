import { ApplicationFailure, Context } from '@temporalio/activity';
import { z } from 'zod';
import type { Db } from '../db/pool';
import { AGENT_PROFILES } from '../llm/agents';
import type { LlmRequest, LlmResponse, LlmTaskName } from '../llm/contract';
import type { LlmProvider } from '../llm/providers';
import { taskDefinition } from '../llm/tasks';
import { FailureType } from '../shared/errors';
import { recordAgentRun, type AgentRunRecord } from './journal';

export interface LlmActivityDeps {
  db: Db;
  provider: LlmProvider;
  pool: string;
  /** Long generations must show they are alive, so a dead node is detected by heartbeat timeout. */
  heartbeatIntervalMs?: number;
}

export function createLlmActivities(deps: LlmActivityDeps) {
  const heartbeatEvery = deps.heartbeatIntervalMs ?? 1000;

  async function journal(request: LlmRequest, partial: Pick<AgentRunRecord, 'outcome' | 'latencyMs'> & Partial<AgentRunRecord>) {
    const { info } = Context.current();
    try {
      await recordAgentRun(deps.db, {
        workflowId: info.workflowExecution?.workflowId ?? 'standalone',
        runId: info.workflowExecution?.runId ?? '',
        crew: request.crew,
        step: request.step,
        agent: request.agent,
        kind: 'llm',
        provider: deps.provider.name,
        pool: deps.pool,
        model: deps.provider.defaultModel,
        attempt: info.attempt,
        ...partial,
      });
    } catch (err) {
      // The journal is an audit aid; losing one attempt's row must not fail or repeat a generation.
      console.warn(`agent_runs journal write failed: ${(err as Error).message}`);
    }
  }

  async function llmGenerate<T extends LlmTaskName>(request: LlmRequest<T>): Promise<LlmResponse<T>> {
    const ctx = Context.current();
    const definition = taskDefinition(request.task);
    const profile = AGENT_PROFILES[request.agent];
    const schema = definition.schema(request.input);
    const jsonSchema = z.toJSONSchema(schema) as Record<string, unknown>;
    const started = Date.now();
    const heartbeat = setInterval(() => ctx.heartbeat({ elapsedMs: Date.now() - started }), heartbeatEvery);
    let result;
    try {
      result = await deps.provider.chat({
        system: profile.systemPrompt,
        user: definition.prompt(request.input),
        temperature: profile.temperature,
        jsonSchema,
        schemaName: request.task,
        signal: ctx.cancellationSignal,
      });
    } catch (err) {
      await journal(request, { outcome: 'error', latencyMs: Date.now() - started, detail: (err as Error).message });
      throw err; // transient: Temporal retries, then the workflow falls back
    } finally {
      clearInterval(heartbeat);
    }
    const latencyMs = Date.now() - started;
    const usage = { model: result.model, tokensIn: result.tokensIn, tokensOut: result.tokensOut, latencyMs };

    let rejection: string | undefined;
    let output: LlmResponse<T>['output'] | undefined;
    try {
      const parsed = schema.safeParse(JSON.parse(result.content));
      if (parsed.success) {
        output = parsed.data;
        rejection = definition.check?.(parsed.data, request.input);
      } else {
        rejection = `answer does not match schema: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`;
      }
    } catch {
      rejection = 'answer is not valid JSON';
    }
    if (rejection !== undefined || output === undefined) {
      await journal(request, { outcome: 'invalid_output', ...usage, detail: rejection });
      // Retryable on purpose: a sampled model often answers well on the next try.
      throw ApplicationFailure.retryable(`${request.agent}/${request.task}: ${rejection}`, FailureType.LlmOutputInvalid);
    }
    await journal(request, { outcome: 'ok', ...usage });
    return { output, provider: deps.provider.name, pool: deps.pool, ...usage };
  }

  return { llmGenerate };
}

export type LlmActivities = ReturnType<typeof createLlmActivities>;
