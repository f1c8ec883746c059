import type { Db } from '../db/pool';
import type { RedisClient } from '../db/redis';
import { createCommonActivities } from './common';
import { createOrderActivities } from './orders';
import { createSettlementActivities } from './settlement';
import { createCampaignActivities } from './campaigns';
import { createQualityActivities } from './quality';
import { createOnboardingActivities } from './onboarding';
import { createConversationActivities } from './conversations';

export interface AgentActivityDeps {
  db: Db;
  /** Fast state: sessions, caches. */
  redis: RedisClient;
  /** Read replica for reports and analytics; the primary when none is configured. */
  readDb: Db;
  /** Fairness weight per consignor plan. */
  fairnessWeights?: Record<string, number>;
}

/**
 * Every agent tool of every crew, served by the agents worker on one queue. Each crew adds its
 * factory here (one line); names must be unique across crews.
 */
export function createAgentActivities(deps: AgentActivityDeps) {
  return {
    ...createCommonActivities(deps),
    ...createOrderActivities(deps),
    ...createSettlementActivities(deps),
    ...createCampaignActivities(deps),
    ...createQualityActivities(deps),
    ...createOnboardingActivities(deps),
    ...createConversationActivities(deps),
  };
}

export type AgentActivities = ReturnType<typeof createAgentActivities>;
