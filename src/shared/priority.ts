/**
 * Priority tiers of GREENFOOD work and their Temporal priority keys (1 = served first).
 * Keys 2 and 4 are left free so a tier can later be split without renumbering.
 */
export const PRIORITY_TIERS = ['vip', 'regular', 'background'] as const;
export type PriorityTier = (typeof PRIORITY_TIERS)[number];

const PRIORITY_KEYS: Record<PriorityTier, number> = { vip: 1, regular: 3, background: 5 };

export function priorityKeyOf(tier: PriorityTier): number {
  return PRIORITY_KEYS[tier];
}

export function isPriorityTier(value: unknown): value is PriorityTier {
  return typeof value === 'string' && (PRIORITY_TIERS as readonly string[]).includes(value);
}
