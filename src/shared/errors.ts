/**
 * The one vocabulary of permanent failure types. Activities throw
 * `ApplicationFailure.nonRetryable(message, type)` with one of these; anything else thrown is
 * treated as transient and retried by Temporal.
 */
export const FailureType = {
  InvalidInput: 'InvalidInput',
  UnknownBuyer: 'UnknownBuyer',
  UnknownProduct: 'UnknownProduct',
  OutOfStock: 'OutOfStock',
  Undeliverable: 'Undeliverable',
  LlmOutputInvalid: 'LlmOutputInvalid',
  LlmUnavailable: 'LlmUnavailable',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
