import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle, type WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

export interface StartedOnce<T extends Workflow> {
  handle: WorkflowHandle<T>;
  /** False when the business key was already used: the existing crew is returned, nothing new starts. */
  started: boolean;
}

/**
 * Starts a crew under its business-key workflow id, or hands back the one already there; the
 * options' id-reuse and id-conflict policies decide what "already there" means for each crew.
 */
export async function startOnce<T extends Workflow>(client: Client, workflowType: string, options: WorkflowStartOptions<T>): Promise<StartedOnce<T>> {
  try {
    return { handle: await client.workflow.start<T>(workflowType, options), started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      return { handle: client.workflow.getHandle<T>(options.workflowId), started: false };
    }
    throw err;
  }
}
