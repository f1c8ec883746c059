import type { Db } from '../db/pool';
import { createCommonActivities } from './common';
import { createOrderActivities } from './orders';

export interface AgentActivityDeps {
  db: Db;
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
