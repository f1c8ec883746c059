import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions, type ScheduleDescription } from '@temporalio/client';
import { CREWS_TASK_QUEUE, SearchAttr } from '../shared/temporal';
import type { batchWatchDaily } from '../workflows/batch-watch';
import { BATCH_WATCH_CREW, BATCH_WATCH_DAILY_WORKFLOW, BATCH_WATCH_SCHEDULE_ID, BATCH_WATCH_TIMEZONE, type BatchWatchDailyInput } from './contract';

export const BATCH_WATCH_HOUR = 6;

function scheduleOptions(input: BatchWatchDailyInput): ScheduleOptions {
  const args: Parameters<typeof batchWatchDaily> = [input];
  return {
    scheduleId: BATCH_WATCH_SCHEDULE_ID,
    // Before the hubs open: the day's markdowns and transfers are ready for the morning shift.
    spec: { calendars: [{ hour: BATCH_WATCH_HOUR, minute: 0 }], timezone: BATCH_WATCH_TIMEZONE },
    action: {
      type: 'startWorkflow',
      workflowType: BATCH_WATCH_DAILY_WORKFLOW,
      // The Schedule appends the scheduled time to this id; the day's watch itself runs as batch-watch-<date>.
      workflowId: BATCH_WATCH_SCHEDULE_ID,
      taskQueue: CREWS_TASK_QUEUE,
      args,
      staticSummary: 'Daily Batch & Quality watch',
      typedSearchAttributes: [
        { key: SearchAttr.Crew, value: BATCH_WATCH_CREW },
        { key: SearchAttr.PriorityTier, value: 'background' },
      ],
    },
    policies: {
      // One watch at a time; a day missed while the platform was down is caught up within a day.
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: '1 day',
      pauseOnFailure: false,
    },
    state: { note: 'Batch statuses, expiry alerts, markdowns and transfers, every morning (Europe/Kyiv)' },
  };
}

/**
 * Installs the daily watch Schedule, or brings an existing one to this spec, so running it twice
 * (or after a code change) leaves exactly one Schedule with the current settings.
 */
export async function installBatchWatchSchedule(client: Client, input: BatchWatchDailyInput = {}): Promise<{ scheduleId: string; created: boolean; description: ScheduleDescription }> {
  const options = scheduleOptions(input);
  try {
    const handle = await client.schedule.create(options);
    return { scheduleId: BATCH_WATCH_SCHEDULE_ID, created: true, description: await handle.describe() };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    const handle = client.schedule.getHandle(BATCH_WATCH_SCHEDULE_ID);
    // The previous state (paused or not, its note) is kept: an operator's pause survives a re-install.
    await handle.update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
    return { scheduleId: BATCH_WATCH_SCHEDULE_ID, created: false, description: await handle.describe() };
  }
}
