import type { Db } from '../db/pool';
import type { RedisClient } from '../db/redis';
import { createCommonActivities } from './common';
import { createOrderActivities } from './orders';

export interface AgentActivityDeps {
  db: Db;
  /** Fast state: sessions, caches. */
  redis: RedisClient;
  /** Read replica for reports and analytics; the primary when none is configured. */
  readDb: Db;
}

/**
 * Every agent tool of every crew, served by the agents worker on one queue. Each crew adds its
 * factory here (one line); names must be unique across crews.
 */
export function createAgentActivities(deps: AgentActivityDeps) {
  return {
    ...createCommonActivities(deps),
    ...createOrderActivities(deps),
  };
}

export type AgentActivities = ReturnType<typeof createAgentActivities>;
