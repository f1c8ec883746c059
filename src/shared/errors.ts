/**
 * The one vocabulary of permanent failure types. Activities throw
 * `ApplicationFailure.nonRetryable(message, type)` with one of these; anything else thrown is
 * treated as transient and retried by Temporal.
 */
export const FailureType = {
  InvalidInput: 'InvalidInput',
  UnknownBuyer: 'UnknownBuyer',
  UnknownConsignor: 'UnknownConsignor',
  UnknownProduct: 'UnknownProduct',
  OutOfStock: 'OutOfStock',
  Undeliverable: 'Undeliverable',
  LlmOutputInvalid: 'LlmOutputInvalid',
  LlmUnavailable: 'LlmUnavailable',
  CampaignOutOfStock: 'CampaignOutOfStock',
  UnknownBatch: 'UnknownBatch',
  SettlementBlocked: 'SettlementBlocked',
  InvalidRequisites: 'InvalidRequisites',
  DuplicateConsignor: 'DuplicateConsignor',
  PriceBelowCost: 'PriceBelowCost',
  NoHubForStorage: 'NoHubForStorage',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
