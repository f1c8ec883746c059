import { type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { priorityKeyOf } from '../shared/priority';
import { CREWS_TASK_QUEUE, SearchAttr } from '../shared/temporal';
import type { batchWatch, recordQualityIncident } from '../workflows/batch-watch';
import {
  BATCH_WATCH_CREW,
  BATCH_WATCH_TIMEZONE,
  BATCH_WATCH_WORKFLOW,
  batchWatchWorkflowId,
  QUALITY_INCIDENT_CREW,
  QUALITY_INCIDENT_WORKFLOW,
  qualityIncidentWorkflowId,
  type BatchWatchInput,
  type QualityIncidentInput,
} from './contract';
import { dateInZone } from './rules';
import { startOnce } from '../client/start-once';

/** Today in Kyiv: the day a manual watch run covers unless told otherwise. */
export function todayInKyiv(now: Date = new Date()): string {
  return dateInZone(now, BATCH_WATCH_TIMEZONE);
}

/**
 * Starts (or joins) the watch of one day, `batch-watch-<date>`. A running watch of that day is
 * joined (USE_EXISTING); a finished one may run again — it changes nothing twice.
 */
export async function startBatchWatch(client: Client, input: BatchWatchInput): Promise<WorkflowHandle<typeof batchWatch>> {
  return client.workflow.start<typeof batchWatch>(BATCH_WATCH_WORKFLOW, {
    workflowId: batchWatchWorkflowId(input.date),
    taskQueue: CREWS_TASK_QUEUE,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    priority: { priorityKey: priorityKeyOf('background') },
    staticSummary: `Batch & Quality watch ${input.date} (manual)`,
    typedSearchAttributes: [
      { key: SearchAttr.Crew, value: BATCH_WATCH_CREW },
      { key: SearchAttr.PriorityTier, value: 'background' },
    ],
  });
}

export interface StartedIncident {
  handle: WorkflowHandle<typeof recordQualityIncident>;
  /** False when this incident id was already submitted: nothing new starts. */
  started: boolean;
}

/** Records an incident under `quality-incident-<id>`; an incident id is used once, ever. */
export async function startQualityIncident(client: Client, input: QualityIncidentInput): Promise<StartedIncident> {
  const workflowId = qualityIncidentWorkflowId(input.incidentId);
  return startOnce<typeof recordQualityIncident>(client, QUALITY_INCIDENT_WORKFLOW, {
    workflowId,
    taskQueue: CREWS_TASK_QUEUE,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    priority: { priorityKey: priorityKeyOf('regular') },
    staticSummary: `Quality ${input.kind} ${input.incidentId} · ${input.category}${input.batchCode ? ` · batch ${input.batchCode}` : ''}`,
    typedSearchAttributes: [
      { key: SearchAttr.Crew, value: QUALITY_INCIDENT_CREW },
      { key: SearchAttr.PriorityTier, value: 'regular' },
    ],
  });
}
