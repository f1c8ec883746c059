import { type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { priorityKeyOf } from '../shared/priority';
import { CREWS_TASK_QUEUE, SearchAttr } from '../shared/temporal';
import type { marketingCampaign } from '../workflows/marketing-campaign';
import { campaignWorkflowId, MARKETING_CAMPAIGN_CREW, MARKETING_CAMPAIGN_WORKFLOW, type MarketingCampaignInput } from './contract';
import { startOnce } from '../client/start-once';

export interface StartedCampaign {
  handle: WorkflowHandle<typeof marketingCampaign>;
  /** False when this campaign id is running or already completed: the existing crew is returned. */
  started: boolean;
}

/**
 * Starts the campaign crew under the business key `campaign-<campaignId>`. A completed campaign
 * never runs twice; a failed one may be started again under the same id (a refused campaign wrote
 * nothing, and a campaign that failed later resumes from the rows it already wrote).
 */
export async function startMarketingCampaign(client: Client, input: MarketingCampaignInput): Promise<StartedCampaign> {
  const workflowId = campaignWorkflowId(input.campaignId);
  const tier = input.priority ?? 'background';
  return startOnce<typeof marketingCampaign>(client, MARKETING_CAMPAIGN_WORKFLOW, {
    workflowId,
    taskQueue: CREWS_TASK_QUEUE,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    priority: { priorityKey: priorityKeyOf(tier) },
    staticSummary: `Campaign ${input.campaignId} · ${input.products.length} product(s) · ${input.channels.join(', ')} · ${tier.toUpperCase()}`,
    staticDetails: `«${input.name}» ${input.startDate}…${input.endDate}; SKUs ${input.products.join(', ')}; budget ${(input.budgetKop / 100).toFixed(2)} UAH`,
    typedSearchAttributes: [
      { key: SearchAttr.Crew, value: MARKETING_CAMPAIGN_CREW },
      { key: SearchAttr.PriorityTier, value: tier },
    ],
  });
}
