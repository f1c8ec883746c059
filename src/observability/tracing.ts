import * as otel from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  NoopSpanProcessor,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { ClientInterceptors } from '@temporalio/client';
// Subpaths, not the package index: the index loads the worker plugin, which a CLI process does not need.
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { InjectedSinks } from '@temporalio/worker';

/**
 * OpenTelemetry tracing: one trace per crew, from the client's start through the workflow, every
 * agent step and every LLM call. Spans leave the process over OTLP/HTTP when an endpoint is
 * configured (docker-compose points it at Jaeger), or go to an exporter a test passes in.
 *
 * Workflow spans are made inside the workflow sandbox by @temporalio/interceptors-opentelemetry's
 * workflow interceptors (bundled into the workflow code, see WORKFLOW_INTERCEPTOR_MODULES) and
 * reach this process's span processor through the `exporter` sink, which is therefore always
 * installed on crew workers, with a no-op processor when tracing is off.
 */

/** Workflow interceptor modules every crew worker's bundle must include (tracing and crew metrics/log fields). */
export const WORKFLOW_INTERCEPTOR_MODULES: string[] = [
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors'),
  require.resolve('./workflow-interceptors'),
];

export const TRACER_NAME = 'greenfood';

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP base URL, e.g. http://jaeger:4318 (spans go to `<endpoint>/v1/traces`). */
  otlpEndpoint?: string;
  /** Extra exporter, e.g. an InMemorySpanExporter in tests; spans reach it synchronously on end. */
  exporter?: SpanExporter;
}

export interface Tracing {
  resource: Resource;
  /** Every span processor of this process behind one (what the workflow exporter sink feeds). */
  spanProcessor: SpanProcessor;
  provider: BasicTracerProvider;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Feeds one finished span to several processors (the OTLP batch and, in tests, an in-memory one). */
class FanOutSpanProcessor implements SpanProcessor {
  constructor(private readonly processors: SpanProcessor[]) {}
  onStart(span: Parameters<SpanProcessor['onStart']>[0], parent: otel.Context): void {
    for (const p of this.processors) p.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    for (const p of this.processors) p.onEnd(span);
  }
  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.forceFlush()));
  }
  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.shutdown()));
  }
}

let installed: Tracing | undefined;

/**
 * Registers the process-wide tracer provider, context manager and W3C propagator. OpenTelemetry's
 * globals can be set once per process, so a second call returns the first setup unchanged.
 * Without an endpoint or exporter nothing is registered and tracing costs (almost) nothing.
 */
export function installTracing(options: TracingOptions): Tracing | undefined {
  if (installed) return installed;
  const processors: SpanProcessor[] = [];
  if (options.exporter) processors.push(new SimpleSpanProcessor(options.exporter));
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  if (processors.length === 0) return undefined;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: options.serviceName });
  const spanProcessor = new FanOutSpanProcessor(processors);
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  // Short-lived processes (the CLI) end when their event loop drains: send what the batch still holds.
  process.once('beforeExit', () => { void provider.forceFlush(); });
  installed = {
    resource,
    spanProcessor,
    provider,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
  return installed;
}

export function currentTracing(): Tracing | undefined {
  return installed;
}

/** The tracer GREENFOOD's own spans (agent steps, LLM calls) use; a no-op one when tracing is off. */
export function tracer(): otel.Tracer {
  return otel.trace.getTracer(TRACER_NAME);
}

/** The sink through which workflow-side spans leave the sandbox; a crew worker must always have it. */
export function workflowSpanSinks(): InjectedSinks<Record<string, never>> {
  const t = installed;
  const processor = t?.spanProcessor ?? new NoopSpanProcessor();
  const resource = t?.resource ?? new Resource({ [ATTR_SERVICE_NAME]: 'greenfood' });
  return { exporter: makeWorkflowExporter(processor, resource) } as unknown as InjectedSinks<Record<string, never>>;
}

/** Client interceptors that open the crew's root span and pass its context to the workflow in headers. */
export function clientInterceptors(): ClientInterceptors {
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

/** The current trace id (for log lines written outside Temporal's loggers), if any. */
export function currentTraceId(): string | undefined {
  const ctx = otel.trace.getSpan(otel.context.active())?.spanContext();
  return ctx && otel.isSpanContextValid(ctx) ? ctx.traceId : undefined;
}
