import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry/lib/worker';
import type {
  ActivityExecuteInput,
  ActivityInboundCallsInterceptor,
  ActivityInterceptorsFactory,
  ActivityOutboundCallsInterceptor,
  GetLogAttributesInput,
  InjectedSinks,
  Next,
  WorkerOptions,
} from '@temporalio/worker';
import type { Context as ActivityContext } from '@temporalio/activity';
import { AGENT_PROFILES } from '../llm/agents';
import { FailureType } from '../shared/errors';
import {
  agentFailures,
  agentLatency,
  agentRequests,
  agentsActive,
  llmInFlight,
  recordCrewFinished,
  recordCrewStarted,
  scheduleToStart,
} from './metrics';
import { tracer, workflowSpanSinks, WORKFLOW_INTERCEPTOR_MODULES } from './tracing';
import { crewOfWorkflowType } from './names';
import type { CrewMetricsSinks } from './workflow-interceptors';

const LLM_QUEUE_PREFIX = 'greenfood-llm-';
const KNOWN_AGENTS = new Set(Object.keys(AGENT_PROFILES));
const KNOWN_FAILURE_TYPES = new Set<string>(Object.values(FailureType));

/** Activity name prefixes (camelCase) → agent, for tools whose arguments do not name the agent. */
const AGENT_PREFIXES: [string, string][] = [
  ['assistant', 'assistant'], ['catalog', 'catalog'], ['batchQuality', 'batch_quality'], ['batch', 'batch_quality'],
  ['quality', 'batch_quality'], ['vendorSuccess', 'vendor_success'], ['vendor', 'vendor_success'],
  ['warehouse', 'warehouse'], ['logistics', 'logistics'], ['seller', 'seller'], ['customerCare', 'customer_care'],
  ['care', 'customer_care'], ['finance', 'finance'], ['smm', 'smm'], ['seo', 'seo'], ['analytics', 'analytics'],
  ['compliance', 'compliance'], ['compensate', 'saga'], ['llm', 'llm'],
];

function startsWithWord(name: string, prefix: string): boolean {
  if (!name.startsWith(prefix)) return false;
  const next = name.charAt(prefix.length);
  return next === '' || (next >= 'A' && next <= 'Z');
}

export interface AgentStepLabels {
  crew: string;
  agent: string;
  activity: string;
  /** `<agent>.<action>` (e.g. warehouse.reserve, logistics.plan_shipments): the step's span name. */
  step: string;
  /** For log lines only: never a metric label. */
  consignorId?: string;
  llm?: { task?: string; pool: string };
}

function firstArg(args: unknown[]): Record<string, unknown> | undefined {
  const a = args[0];
  return typeof a === 'object' && a !== null && !Array.isArray(a) ? (a as Record<string, unknown>) : undefined;
}

/**
 * Who an activity works for. LLM requests and fallback journal entries name their crew and agent;
 * agent tools follow the `<agent><Action>` naming convention; the crew otherwise comes from the
 * workflow type (`fulfillOrder` → `fulfill_order`).
 */
export function labelsOf(activityType: string, workflowType: string | undefined, taskQueue: string, args: unknown[]): AgentStepLabels {
  const arg = firstArg(args);
  const named = (key: string) => (typeof arg?.[key] === 'string' ? arg[key] : undefined);
  const argAgent = named('agent');
  const prefix = AGENT_PREFIXES.find(([p]) => startsWithWord(activityType, p));
  const agent = argAgent && KNOWN_AGENTS.has(argAgent) ? argAgent : prefix?.[1] ?? 'other';
  const argCrew = named('crew');
  const crew = argCrew && /^[a-z_]{1,40}$/.test(argCrew) ? argCrew : workflowType ? crewOfWorkflowType(workflowType) : 'standalone';
  const action = prefix ? activityType.slice(prefix[0].length) : activityType;
  const step = `${prefix?.[1] ?? agent}.${crewOfWorkflowType(action.charAt(0).toLowerCase() + action.slice(1)) || 'run'}`;
  const consignor = arg?.consignorId;
  return {
    crew, agent, activity: activityType, step,
    ...(typeof consignor === 'string' || typeof consignor === 'number' ? { consignorId: String(consignor) } : {}),
    ...(taskQueue.startsWith(LLM_QUEUE_PREFIX) ? { llm: { task: named('task'), pool: taskQueue.slice(LLM_QUEUE_PREFIX.length) } } : {}),
  };
}

function failureTypeOf(err: unknown): string {
  if (err instanceof CancelledFailure) return 'cancelled';
  if (err instanceof ApplicationFailure && err.type && KNOWN_FAILURE_TYPES.has(err.type)) return err.type;
  return 'transient';
}

/** What an LLM activity returned, as span attributes (pool, model, tokens) — see LlmResponse. */
function llmAttributes(span: Span, result: unknown): void {
  if (typeof result !== 'object' || result === null) return;
  const r = result as Record<string, unknown>;
  const attrs: Record<string, string | number> = {};
  if (typeof r.provider === 'string') attrs['gen_ai.system'] = r.provider;
  if (typeof r.pool === 'string') attrs['greenfood.llm.pool'] = r.pool;
  if (typeof r.model === 'string') attrs['gen_ai.response.model'] = r.model;
  if (typeof r.tokensIn === 'number') attrs['gen_ai.usage.input_tokens'] = r.tokensIn;
  if (typeof r.tokensOut === 'number') attrs['gen_ai.usage.output_tokens'] = r.tokensOut;
  if (typeof r.latencyMs === 'number') attrs['greenfood.llm.latency_ms'] = r.latencyMs;
  span.setAttributes(attrs);
}

/**
 * Measures every agent activity: requests, failures, latency and in-flight count per crew and agent,
 * schedule-to-start per task queue, LLM in-flight per pool; opens the step's span (a child of the
 * SDK's RunActivity span); and one log line per finished step.
 */
class AgentStepInterceptor implements ActivityInboundCallsInterceptor {
  constructor(private readonly ctx: ActivityContext, private readonly shared: { labels?: AgentStepLabels }) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const { info } = this.ctx;
    const labels = labelsOf(info.activityType, info.workflowType, info.taskQueue, input.args);
    this.shared.labels = labels;
    const { crew, agent, activity } = labels;
    const started = Date.now();
    if (info.currentAttemptScheduledTimestampMs > 0) {
      scheduleToStart.observe({ task_queue: info.taskQueue }, Math.max(0, started - info.currentAttemptScheduledTimestampMs) / 1000);
    }
    agentRequests.inc({ crew, agent, activity });
    agentsActive.inc({ crew, agent });
    if (labels.llm) llmInFlight.inc({ pool: labels.llm.pool });

    return tracer().startActiveSpan(labels.step, {
      attributes: {
        'greenfood.crew': crew, 'greenfood.agent': agent, 'greenfood.activity': activity, 'greenfood.attempt': info.attempt,
        ...(info.workflowExecution ? { 'greenfood.workflow_id': info.workflowExecution.workflowId } : {}),
        ...(labels.llm ? { 'greenfood.llm.pool': labels.llm.pool, ...(labels.llm.task ? { 'greenfood.llm.task': labels.llm.task } : {}) } : {}),
      },
    }, async (span) => {
      let outcome = 'ok';
      try {
        const result = await next(input);
        if (labels.llm) llmAttributes(span, result);
        return result;
      } catch (err) {
        outcome = failureTypeOf(err);
        agentFailures.inc({ crew, agent, activity, failure_type: outcome });
        span.recordException(err instanceof Error ? err : String(err));
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
        throw err;
      } finally {
        const latencyMs = Date.now() - started;
        agentLatency.observe({ crew, agent }, latencyMs / 1000);
        agentsActive.dec({ crew, agent });
        if (labels.llm) llmInFlight.dec({ pool: labels.llm.pool });
        span.setAttribute('greenfood.outcome', outcome);
        span.end();
        this.ctx.log.info('agent step finished', { step: labels.step, outcome, latencyMs });
      }
    });
  }
}

/** crew, agent and consignor id on every activity log line (the SDK adds workflowId, runId, activityType). */
class AgentLogAttributes implements ActivityOutboundCallsInterceptor {
  constructor(private readonly ctx: ActivityContext, private readonly shared: { labels?: AgentStepLabels }) {}
  getLogAttributes(input: GetLogAttributesInput, next: Next<ActivityOutboundCallsInterceptor, 'getLogAttributes'>): Record<string, unknown> {
    // Before execute (the SDK's "Activity started") the arguments are unknown: names alone decide.
    const { info } = this.ctx;
    const l = this.shared.labels ?? labelsOf(info.activityType, info.workflowType, info.taskQueue, []);
    return next({ crew: l.crew, agent: l.agent, ...(l.consignorId ? { consignorId: l.consignorId } : {}), ...input });
  }
}

/** Tracing first (outermost), so the step span and the metrics see the SDK's RunActivity span as active. */
export function activityInterceptors(): ActivityInterceptorsFactory[] {
  return [
    (ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) }),
    (ctx) => {
      const shared: { labels?: AgentStepLabels } = {};
      return { inbound: new AgentStepInterceptor(ctx, shared), outbound: new AgentLogAttributes(ctx, shared) };
    },
  ];
}

/** Sinks a crew worker needs: workflow spans out of the sandbox, crew start/end into metrics. */
export function crewWorkerSinks(): InjectedSinks<CrewMetricsSinks> {
  const crewMetrics: InjectedSinks<CrewMetricsSinks>['crewMetrics'] = {
    started: { fn: (_info, crew, tier) => recordCrewStarted(crew, tier) },
    finished: { fn: (_info, crew, tier, outcome, durationMs, failureType) => recordCrewFinished({ crew, tier, outcome, durationMs, failureType }) },
  };
  return { ...workflowSpanSinks(), crewMetrics };
}

/**
 * Observability options for `Worker.create`, merged with the caller's own interceptors and sinks
 * (spread it after them). Ours come first, so they are outermost and measure what the caller's do.
 * Crew workers get the workflow interceptor modules, which the SDK ignores for a prebuilt bundle:
 * bundle with `crewBundleOptions()` then.
 */
export function workerObservability(
  kind: 'crews' | 'activities',
  extra: Pick<WorkerOptions, 'interceptors' | 'sinks' | 'workflowBundle'> = {},
): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const theirs = extra.interceptors ?? {};
  if (kind === 'activities') {
    return { interceptors: { ...theirs, activity: [...activityInterceptors(), ...(theirs.activity ?? [])] }, ...(extra.sinks ? { sinks: extra.sinks } : {}) };
  }
  const workflowModules = extra.workflowBundle ? theirs.workflowModules : [...WORKFLOW_INTERCEPTOR_MODULES, ...(theirs.workflowModules ?? [])];
  return {
    interceptors: { ...theirs, ...(workflowModules ? { workflowModules } : {}) },
    sinks: { ...crewWorkerSinks(), ...extra.sinks } as WorkerOptions['sinks'],
  };
}

/** Options for `bundleWorkflowCode` so a prebuilt bundle carries the tracing and crew-metrics interceptors. */
export function crewBundleOptions(): { workflowInterceptorModules: string[] } {
  return { workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES };
}
