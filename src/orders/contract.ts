import { defineQuery } from '@temporalio/workflow';
import type { PriorityTier } from '../shared/priority';

export const FULFILL_ORDER_WORKFLOW = 'fulfillOrder';
export const FULFILL_ORDER_CREW = 'fulfill_order';

export function orderWorkflowId(orderId: string): string {
  return `order-${orderId}`;
}

export interface DeliveryAddress {
  recipient: string;
  phone: string;
  city: string;
  street: string;
  postalCode: string;
  country: string;
}

export interface OrderItemInput {
  sku: string;
  qty: number;
}

/** What a client submits. Shape is checked again by the Assistant with zod (it may come from any client). */
export interface FulfillOrderInput {
  orderId: string;
  buyerCode: string;
  items: OrderItemInput[];
  deliveryAddress: DeliveryAddress;
  priority: PriorityTier;
  /** When a product is short, may the Seller offer another from the same category? */
  allowSubstitutes?: boolean;
  language?: 'uk' | 'en';
  /** LLM pool (GPU node group or `cloud`) that serves this crew's LLM calls; `local` by default. */
  llmPool?: string;
}

export type OrderStep = 'assistant' | 'seller' | 'warehouse' | 'logistics' | 'finance' | 'customer_care';

export interface FulfillOrderResult {
  orderId: string;
  status: 'confirmed';
  totalKop: number;
  subtotalKop: number;
  discountKop: number;
  deliveryKop: number;
  paymentDueDate: string;
  lines: { lineNo: number; sku: string; qty: number; unitPriceKop: number; substitutedFor?: string }[];
  shipments: { hubCode: string; carrier: string; trackingNumber: string; etaDate: string }[];
  confirmationMessage: string;
  /** Steps whose LLM answer was replaced by the step's deterministic fallback. */
  fallbacks: OrderStep[];
}

export interface OrderProgress {
  step: OrderStep | 'compensating' | 'done' | 'failed';
  completed: OrderStep[];
  compensations: string[];
}

export const orderProgressQuery = defineQuery<OrderProgress>('orderProgress');
