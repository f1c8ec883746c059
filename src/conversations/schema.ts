import { z } from 'zod';
import { PRIORITY_TIERS } from '../shared/priority';
import { MESSAGE_MAX_CHARS, PERSON_ROLES } from './contract';

/** `buyer:B001` or `consignor:C007`, as the CLI's `--as` takes it. */
export const PERSON_SPEC = /^(buyer|consignor):([A-Za-z0-9][A-Za-z0-9_-]{0,47})$/;

export const ChatPersonSchema = z.object({
  role: z.enum(PERSON_ROLES),
  personId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$/, 'personId: letters, digits, "-" or "_", at most 48'),
}).strict();

export const ChatMessageTextSchema = z
  .string()
  .refine((t) => t.trim().length > 0, 'the message is empty')
  .refine((t) => t.length <= MESSAGE_MAX_CHARS, `the message is longer than ${MESSAGE_MAX_CHARS} characters`);

/** Session options a client may set; they apply when a message starts a session, not to one already running. */
export const SessionOptionsSchema = z.object({
  language: z.enum(['uk', 'en']).optional(),
  idleTimeoutMs: z.number().int().min(1000).max(7 * 24 * 3600 * 1000).optional(),
  memoryTtlSeconds: z.number().int().min(1).max(7 * 24 * 3600).optional(),
  maxMessagesPerRun: z.number().int().min(1).max(1000).optional(),
  priority: z.enum(PRIORITY_TIERS).optional(),
  llmPool: z.string().regex(/^[a-z0-9-]+$/).optional(),
}).strict();

export type ChatPerson = z.output<typeof ChatPersonSchema>;
export type SessionOptions = z.output<typeof SessionOptionsSchema>;

export function parsePersonSpec(spec: string): ChatPerson | undefined {
  const m = PERSON_SPEC.exec(spec.trim());
  if (!m) return undefined;
  return { role: m[1] as ChatPerson['role'], personId: m[2]! };
}

export { describeIssues } from '../orders/schema';
