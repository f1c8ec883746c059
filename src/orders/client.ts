import { type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { priorityKeyOf } from '../shared/priority';
import { CREWS_TASK_QUEUE, SearchAttr } from '../shared/temporal';
import type { fulfillOrder } from '../workflows/fulfill-order';
import { FULFILL_ORDER_CREW, orderWorkflowId, type FulfillOrderInput } from './contract';
import { orderSummaryLine } from './messages';
import { startOnce } from '../client/start-once';

export interface StartedOrder {
  handle: WorkflowHandle<typeof fulfillOrder>;
  /** False when this order id was already submitted: the existing crew is returned, nothing new starts. */
  started: boolean;
}

/**
 * Starts the order crew under the business key `order-<orderId>`. An order id is used once, ever:
 * REJECT_DUPLICATE also covers a closed run, so a double submit after completion starts nothing either.
 */
export async function startFulfillOrder(client: Client, input: FulfillOrderInput): Promise<StartedOrder> {
  const workflowId = orderWorkflowId(input.orderId);
  return startOnce<typeof fulfillOrder>(client, 'fulfillOrder', {
    workflowId,
    taskQueue: CREWS_TASK_QUEUE,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
    priority: { priorityKey: priorityKeyOf(input.priority) },
    staticSummary: orderSummaryLine(input.orderId, input.items.length, input.priority),
    staticDetails: `Buyer ${input.buyerCode} → ${input.deliveryAddress.city}; SKUs ${input.items.map((i) => `${i.sku}×${i.qty}`).join(', ')}`,
    typedSearchAttributes: [
      { key: SearchAttr.Crew, value: FULFILL_ORDER_CREW },
      { key: SearchAttr.PriorityTier, value: input.priority },
      { key: SearchAttr.OrderId, value: input.orderId },
    ],
  });
}
