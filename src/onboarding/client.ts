import { type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { priorityKeyOf } from '../shared/priority';
import { CREWS_TASK_QUEUE, SearchAttr } from '../shared/temporal';
import type { onboardVendor } from '../workflows/onboard-vendor';
import { ONBOARD_VENDOR_CREW, ONBOARD_VENDOR_WORKFLOW, onboardingWorkflowId, type OnboardVendorInput } from './contract';
import { startOnce } from '../client/start-once';

export interface StartedOnboarding {
  handle: WorkflowHandle<typeof onboardVendor>;
  /** False when this EDRPOU is being onboarded or already was: the existing crew is returned, nothing new starts. */
  started: boolean;
}

/**
 * Starts the onboarding crew under the business key `onboard-<edrpou>`.
 * ALLOW_DUPLICATE_FAILED_ONLY: a consignor is onboarded once, but after a failed (and rolled back)
 * run the corrected request may run again under the same key; FAIL on conflict returns the running one.
 */
export async function startOnboardVendor(client: Client, input: OnboardVendorInput): Promise<StartedOnboarding> {
  const workflowId = onboardingWorkflowId(input.requisites.edrpou);
  return startOnce<typeof onboardVendor>(client, ONBOARD_VENDOR_WORKFLOW, {
    workflowId,
    taskQueue: CREWS_TASK_QUEUE,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    priority: { priorityKey: priorityKeyOf(input.priority) },
    staticSummary: `Onboard ${input.name} · ${input.products.length} product${input.products.length === 1 ? '' : 's'} · ${input.plan} · ${input.priority.toUpperCase()}`,
    staticDetails: `${input.requisites.legalName}, EDRPOU ${input.requisites.edrpou}; hubs ${input.hubs.join(', ') || 'any'}; products ${input.products.map((p) => p.name).join('; ')}`,
    typedSearchAttributes: [
      { key: SearchAttr.Crew, value: ONBOARD_VENDOR_CREW },
      { key: SearchAttr.PriorityTier, value: input.priority },
    ],
  });
}
