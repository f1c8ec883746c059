// The workflow bundle's entry: every crew workflow the crews worker serves.
export { fulfillOrder } from './fulfill-order';
export { monthlySettlement, scheduledMonthlySettlement, settleConsignor } from './monthly-settlement';
export { onboardVendor } from './onboard-vendor';
export { conversation } from './conversation';
export { marketingCampaign } from './marketing-campaign';
export { batchWatch, batchWatchDaily, recordQualityIncident } from './batch-watch';
