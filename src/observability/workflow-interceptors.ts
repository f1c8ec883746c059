/**
 * Workflow interceptors bundled into every crew worker's workflow code (WORKFLOW_INTERCEPTOR_MODULES).
 * This module runs inside the deterministic sandbox: it imports only @temporalio/workflow and pure
 * shared code, and reports through a sink, which the worker does not call during replay, so a
 * crew is counted once however often its history is replayed.
 *
 * - crew metrics: start and end (outcome, duration, failure type) of every crew run, by crew and tier;
 * - log fields: crew, tier and consignor id on every workflow log line (from search attributes).
 */
import {
  ApplicationFailure,
  ContinueAsNew,
  isCancellation,
  proxySinks,
  workflowInfo,
  type GetLogAttributesInput,
  type Next,
  type Sinks,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { SearchAttr } from '../shared/temporal';
import { crewOfWorkflowType } from './names';

export interface CrewMetricsSinks extends Sinks {
  crewMetrics: {
    started(crew: string, tier: string): void;
    finished(crew: string, tier: string, outcome: 'completed' | 'failed' | 'cancelled' | 'continued', durationMs: number, failureType: string): void;
  };
}

const { crewMetrics } = proxySinks<CrewMetricsSinks>();

function crewLabels(): { crew: string; tier: string; consignorId?: string } {
  const info = workflowInfo();
  const attrs = info.typedSearchAttributes;
  const consignorId = attrs.get(SearchAttr.ConsignorId);
  return {
    crew: attrs.get(SearchAttr.Crew) ?? crewOfWorkflowType(info.workflowType),
    tier: attrs.get(SearchAttr.PriorityTier) ?? 'none',
    ...(consignorId ? { consignorId } : {}),
  };
}

// The worker drops these calls during replay anyway; skipping them here also keeps replay-only
// workers (Worker.runReplayHistories), which have no sinks, from logging "unregistered sink" errors.
const live = () => !workflowInfo().unsafe.isReplaying;

class CrewMetricsInbound implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const { crew, tier } = crewLabels();
    if (live()) crewMetrics.started(crew, tier);
    const finished = (outcome: 'completed' | 'failed' | 'cancelled' | 'continued', failureType = '') => {
      if (live()) crewMetrics.finished(crew, tier, outcome, Date.now() - workflowInfo().runStartTime.getTime(), failureType);
    };
    try {
      const result = await next(input);
      finished('completed');
      return result;
    } catch (err) {
      if (err instanceof ContinueAsNew) finished('continued');
      else if (isCancellation(err)) finished('cancelled');
      else finished('failed', err instanceof ApplicationFailure ? err.type ?? 'ApplicationFailure' : 'error');
      throw err;
    }
  }
}

class CrewLogAttributes implements WorkflowOutboundCallsInterceptor {
  getLogAttributes(input: GetLogAttributesInput, next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>): Record<string, unknown> {
    return next({ ...crewLabels(), ...input });
  }
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new CrewMetricsInbound()],
  outbound: [new CrewLogAttributes()],
});
