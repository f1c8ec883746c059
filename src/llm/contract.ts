/**
 * What a workflow may know about LLM calls: names and plain types only (no zod, no I/O),
 * so crew workflows can import it.
 */
export const AGENTS = [
  'assistant', 'catalog', 'batch_quality', 'vendor_success', 'warehouse', 'logistics', 'seller',
  'customer_care', 'finance', 'smm', 'seo', 'analytics', 'compliance',
] as const;
export type AgentName = (typeof AGENTS)[number];

export interface ChooseSubstituteInput {
  requested: { sku: string; name: string; category: string; qty: number };
  candidates: { sku: string; name: string; priceKop: number; available: number }[];
}
export interface ChooseSubstituteOutput {
  sku: string;
  reason: string;
}

export interface OrderConfirmationInput {
  orderId: string;
  language: 'uk' | 'en';
  lines: { name: string; qty: number }[];
  total: string;
  paymentDueDate: string;
  shipments: { carrier: string; trackingNumber: string; etaDate: string; hubCity: string }[];
  substitutions: { requested: string; delivered: string }[];
  supportContacts: string;
}
export interface OrderConfirmationOutput {
  subject: string;
  message: string;
}

export interface LlmTaskIO {
  choose_substitute: { input: ChooseSubstituteInput; output: ChooseSubstituteOutput };
  order_confirmation: { input: OrderConfirmationInput; output: OrderConfirmationOutput };
}
export type LlmTaskName = keyof LlmTaskIO;

export interface LlmRequest<T extends LlmTaskName = LlmTaskName> {
  task: T;
  agent: AgentName;
  crew: string;
  step: string;
  input: LlmTaskIO[T]['input'];
}

export interface LlmResponse<T extends LlmTaskName = LlmTaskName> {
  output: LlmTaskIO[T]['output'];
  provider: string;
  pool: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
}
