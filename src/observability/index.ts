import { createServer } from 'node:net';
import { Runtime, type NativeConnection } from '@temporalio/worker';
import type { Config } from '../config';
import { installLogger, TemporalPinoLogger } from './logger';
import { initProcessMetrics } from './metrics';
import { startMetricsServer, type MetricsServer } from './metrics-server';
import { startQueueDepthPoller, type QueueDepthPoller, type WatchedQueue } from './queue-depth';
import { installTracing } from './tracing';

export * from './metrics';
export { activityInterceptors, crewBundleOptions, workerObservability } from './interceptors';
export { clientInterceptors, installTracing, WORKFLOW_INTERCEPTOR_MODULES } from './tracing';
export { createLogger, logger, TemporalPinoLogger } from './logger';
export { startMetricsServer } from './metrics-server';

export interface ProcessObservability {
  metrics?: MetricsServer;
  /** Polls DescribeTaskQueue for these queues into gauges (call once the connection is up). */
  watchQueues(connection: NativeConnection, namespace: string, queues: WatchedQueue[]): void;
  close(): Promise<void>;
}

/**
 * Everything a worker process needs, in start-up order: the JSON logger (LOG_LEVEL), tracing (OTLP
 * when OTEL_EXPORTER_OTLP_ENDPOINT is set), the Temporal runtime with SDK logs routed into the
 * logger and SDK metrics on SDK_METRICS_PORT, and GREENFOOD's `/metrics` on METRICS_PORT.
 * Must run before the first NativeConnection: `Runtime.install` is allowed once per process.
 */
export async function startProcessObservability(config: Config, worker: string): Promise<ProcessObservability> {
  const log = installLogger({ level: config.LOG_LEVEL, worker });
  const tracing = installTracing({ serviceName: `greenfood-${worker}`, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  // A taken metrics port must not keep a worker from serving crews: warn and run without that endpoint.
  const sdkMetrics = config.SDK_METRICS_PORT > 0 && (await portFree(config.METRICS_HOST, config.SDK_METRICS_PORT));
  if (config.SDK_METRICS_PORT > 0 && !sdkMetrics) log.warn({ port: config.SDK_METRICS_PORT }, 'SDK_METRICS_PORT is in use; Temporal SDK metrics are off in this process');
  Runtime.install({
    logger: new TemporalPinoLogger(log),
    telemetryOptions: {
      // Core (Rust) logs join the same JSON stream instead of going to the console on their own.
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(sdkMetrics
        ? { metrics: { prometheus: { bindAddress: `${config.METRICS_HOST}:${config.SDK_METRICS_PORT}`, useSecondsForDurations: true }, globalTags: { worker } } }
        : {}),
    },
  });
  initProcessMetrics(worker);
  let metrics: MetricsServer | undefined;
  if (config.METRICS_PORT > 0) {
    metrics = await startMetricsServer({ port: config.METRICS_PORT, host: config.METRICS_HOST }).catch((err: Error) => {
      log.warn({ port: config.METRICS_PORT, err }, 'cannot serve /metrics; GREENFOOD metrics are off in this process');
      return undefined;
    });
  }
  log.info({ metrics: metrics?.url, sdkMetricsPort: config.SDK_METRICS_PORT || undefined, tracing: tracing ? config.OTEL_EXPORTER_OTLP_ENDPOINT : 'off' }, 'observability ready');
  const pollers: QueueDepthPoller[] = [];
  return {
    metrics,
    watchQueues(connection, namespace, queues) {
      const poller = startQueueDepthPoller({ service: connection.workflowService, namespace, queues });
      pollers.push(poller);
      void poller.pollOnce();
    },
    async close() {
      for (const p of pollers) p.stop();
      await metrics?.close();
      await tracing?.shutdown();
      log.flush();
    },
  };
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}
