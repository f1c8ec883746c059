import { temporal } from '@temporalio/proto';
import type { WorkflowService } from '@temporalio/client';
import {
  taskQueueAddRate,
  taskQueueBacklog,
  taskQueueBacklogAge,
  taskQueueBacklogByPriority,
  taskQueueDispatchRate,
  taskQueuePollers,
} from './metrics';
import { logger } from './logger';

export interface WatchedQueue {
  name: string;
  type: 'workflow' | 'activity';
}

export interface QueueDepthOptions {
  service: Pick<WorkflowService, 'describeTaskQueue'>;
  namespace: string;
  queues: WatchedQueue[];
  /** How often to ask the server; 15 s matches a typical Prometheus scrape interval. */
  intervalMs?: number;
}

export interface QueueDepthPoller {
  pollOnce(): Promise<void>;
  stop(): void;
}

const { TaskQueueType, TaskQueueKind } = temporal.api.enums.v1;

function seconds(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!d) return 0;
  return Number(d.seconds ?? 0) + (d.nanos ?? 0) / 1e9;
}

/**
 * Turns DescribeTaskQueue (with stats) into gauges: backlog (total and per priority key), age of
 * the oldest task, add/dispatch rates and pollers, per watched queue. The SDK's own
 * schedule-to-start histograms show the same pressure from the worker side; this shows it from the
 * server side, including queues no live worker polls.
 */
export function startQueueDepthPoller(options: QueueDepthOptions): QueueDepthPoller {
  const pollOnce = async () => {
    for (const q of options.queues) {
      const labels = { task_queue: q.name, task_type: q.type };
      try {
        const res = await options.service.describeTaskQueue({
          namespace: options.namespace,
          taskQueue: { name: q.name, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: q.type === 'workflow' ? TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW : TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
          reportStats: true,
        });
        const stats = res.stats;
        taskQueueBacklog.set(labels, Number(stats?.approximateBacklogCount ?? 0));
        taskQueueBacklogAge.set(labels, seconds(stats?.approximateBacklogAge));
        taskQueueAddRate.set(labels, stats?.tasksAddRate ?? 0);
        taskQueueDispatchRate.set(labels, stats?.tasksDispatchRate ?? 0);
        taskQueuePollers.set(labels, res.pollers?.length ?? 0);
        for (const [priority, s] of Object.entries(res.statsByPriorityKey ?? {})) {
          taskQueueBacklogByPriority.set({ ...labels, priority }, Number(s.approximateBacklogCount ?? 0));
        }
      } catch (err) {
        logger().warn({ taskQueue: q.name, err }, 'describeTaskQueue failed; queue depth gauges are stale');
      }
    }
  };
  const timer = setInterval(() => { void pollOnce(); }, options.intervalMs ?? 15_000);
  timer.unref();
  return { pollOnce, stop: () => clearInterval(timer) };
}
