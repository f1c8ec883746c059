import type { Scenario } from '../scenario';
import { ceiling } from './ceiling';
import { fairness } from './fairness';
import { inFlight } from './in-flight';
import { nodeLoss } from './node-loss';
import { saturation } from './saturation';
import { vipUnderFlood } from './vip-under-flood';

/** In the order `all` runs them. */
export const SCENARIOS: Scenario[] = [saturation, vipUnderFlood, fairness, nodeLoss, ceiling, inFlight];

export function scenarioByName(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
