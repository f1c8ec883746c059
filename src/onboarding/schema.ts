import { z } from 'zod';
import { PRIORITY_TIERS } from '../shared/priority';
import type { OnboardVendorInput } from './contract';

/**
 * EDRPOU control digit (the State Statistics Service's mod-11 algorithm): weights 1..7, or 7,1..6
 * for codes between 30 and 60 million; a remainder of 10 retries with weights + 2.
 */
export function edrpouControlDigit(first7: string): number {
  const n = Number(first7) * 10;
  const base = n < 30_000_000 || n > 60_000_000 ? [1, 2, 3, 4, 5, 6, 7] : [7, 1, 2, 3, 4, 5, 6];
  const sum = (weights: number[]) => [...first7].reduce((acc, ch, i) => acc + Number(ch) * (weights[i] ?? 0), 0) % 11;
  let check = sum(base);
  if (check >= 10) {
    check = sum(base.map((w) => w + 2));
    if (check >= 10) check = 0;
  }
  return check;
}

export function isValidEdrpou(code: string): boolean {
  return /^[0-9]{8}$/.test(code) && edrpouControlDigit(code.slice(0, 7)) === Number(code[7]);
}

/** ISO 13616: move the country and check digits to the end, letters to numbers, remainder mod 97 must be 1. */
export function isValidUaIban(iban: string): boolean {
  if (!/^UA[0-9]{27}$/.test(iban)) return false;
  const numeric = `${iban.slice(4)}3010${iban.slice(2, 4)}`;
  let rem = 0;
  for (const ch of numeric) rem = (rem * 10 + Number(ch)) % 97;
  return rem === 1;
}

const isoDate = z
  .string()
  .regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a calendar date');

const kop = (what: string) => z.number().int(`${what} must be whole kopiykas`).positive(`${what} must be greater than 0`).max(100_000_000);

const ProductSchema = z
  .object({
    name: z.string().trim().min(3, 'name is required').max(200),
    category: z.string().trim().regex(/^[a-z_]{2,40}$/, 'category must be a category code like honey'),
    priceKop: kop('priceKop'),
    costKop: kop('costKop'),
    weightG: z.number().int().positive('weightG must be greater than 0').max(100_000),
    volumeMl: z.number().int().positive('volumeMl must be greater than 0').max(100_000),
    ingredients: z.array(z.string().trim().min(1)).min(1, 'list at least one ingredient').max(40),
    allergens: z.array(z.string().trim().min(1)).max(20).default([]),
    shelfLifeDays: z.number().int().positive('shelfLifeDays must be greater than 0').max(3650),
    storage: z.enum(['ambient', 'chilled', 'frozen']),
    media: z.array(z.url()).max(20).default([]),
    description: z.string().trim().max(2000).optional(),
    initialQty: z.number().int().positive('initialQty must be greater than 0').max(100_000),
    productionDate: isoDate.optional(),
  })
  .strict();

/** The onboarding request as any client may send it; checked at the CLI and again by the Assistant step. */
export const OnboardVendorInputSchema = z
  .object({
    name: z.string().trim().min(2, 'name is required').max(200),
    requisites: z
      .object({
        legalName: z.string().trim().min(3, 'legalName is required').max(300),
        edrpou: z.string().refine(isValidEdrpou, 'EDRPOU must be 8 digits with a valid control digit'),
        iban: z.string().regex(/^UA[0-9]{27}$/, 'IBAN must be UA followed by 27 digits').refine((s) => !/^UA[0-9]{27}$/.test(s) || isValidUaIban(s), 'IBAN check digits are wrong'),
      })
      .strict(),
    contacts: z
      .object({
        person: z.string().trim().min(2, 'contact person is required').max(200),
        email: z.email('email must be an e-mail address'),
        phone: z.string().regex(/^\+380[0-9]{9}$/, 'phone must be +380 followed by 9 digits'),
      })
      .strict(),
    plan: z.enum(['starter', 'standard', 'premium']).default('standard'),
    region: z.string().trim().max(200).optional(),
    hubs: z.array(z.string().regex(/^[A-Z0-9-]{2,20}$/, 'hub codes look like KYI')).max(10).default([]),
    products: z.array(ProductSchema).min(1, 'onboarding needs at least one product').max(50),
    priority: z.enum(PRIORITY_TIERS).default('regular'),
    language: z.enum(['uk', 'en']).default('uk'),
    llmPool: z.string().regex(/^[a-z0-9-]+$/).optional(),
  })
  .strict()
  .superRefine((vendor, ctx) => {
    const seen = new Map<string, number>();
    for (const [i, p] of vendor.products.entries()) {
      const key = normalizedName(p.name);
      const first = seen.get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['products', i, 'name'], message: `same product as products.${first}; list it once` });
      else seen.set(key, i);
    }
    if (new Set(vendor.hubs).size !== vendor.hubs.length) ctx.addIssue({ code: 'custom', path: ['hubs'], message: 'a hub is listed twice' });
  });

export type ValidOnboardVendorInput = z.output<typeof OnboardVendorInputSchema> & OnboardVendorInput;

export function normalizedName(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** Requisites and contacts are the consignor's identity: their errors get their own failure type. */
export function isRequisitesIssue(issue: z.core.$ZodIssue): boolean {
  return issue.path[0] === 'requisites' || issue.path[0] === 'contacts';
}

export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
