/** Input and output of the order crew's LLM tasks (plain types, importable from workflows). */
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

export interface OrderLlmTasks {
  choose_substitute: { input: ChooseSubstituteInput; output: ChooseSubstituteOutput };
  order_confirmation: { input: OrderConfirmationInput; output: OrderConfirmationOutput };
}
