// The workflow bundle's entry: every crew workflow the crews worker serves.
export { fulfillOrder } from './fulfill-order';
