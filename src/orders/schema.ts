import { z } from 'zod';
import { PRIORITY_TIERS } from '../shared/priority';
import type { FulfillOrderInput } from './contract';

/** The order as any client may send it; checked at the CLI and again by the Assistant step. */
export const FulfillOrderInputSchema = z
  .object({
    orderId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'orderId: letters, digits, "-" or "_", at most 64'),
    buyerCode: z.string().trim().min(1, 'buyerCode is required'),
    items: z
      .array(
        z.object({
          sku: z.string().trim().min(1, 'sku is required'),
          qty: z.number().int('qty must be a whole number').positive('qty must be greater than 0').max(10_000),
        }).strict(),
      )
      .min(1, 'an order needs at least one item')
      .max(50),
    deliveryAddress: z
      .object({
        recipient: z.string().trim().min(2, 'recipient is required'),
        phone: z.string().regex(/^\+?[0-9 ()-]{9,20}$/, 'phone must be a phone number'),
        city: z.string().trim().min(2, 'city is required'),
        street: z.string().trim().min(3, 'street is required'),
        postalCode: z.string().regex(/^[0-9]{5}$/, 'postalCode must be 5 digits'),
        country: z.string().regex(/^[A-Z]{2}$/, 'country must be an ISO code like UA'),
      }).strict(),
    priority: z.enum(PRIORITY_TIERS).default('regular'),
    allowSubstitutes: z.boolean().default(true),
    language: z.enum(['uk', 'en']).default('uk'),
    llmPool: z.string().regex(/^[a-z0-9-]+$/).optional(),
  })
  .strict()
  .superRefine((order, ctx) => {
    const seen = new Set<string>();
    for (const [i, item] of order.items.entries()) {
      if (seen.has(item.sku)) ctx.addIssue({ code: 'custom', path: ['items', i, 'sku'], message: `sku ${item.sku} appears twice; put the total on one line` });
      seen.add(item.sku);
    }
  });

export type ValidFulfillOrderInput = z.output<typeof FulfillOrderInputSchema> & FulfillOrderInput;

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
