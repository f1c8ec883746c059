/** Fixtures for the onboarding crew's tests: fresh, valid requisites per call and product lines. */
import { randomInt } from 'node:crypto';
import { ukrainianIban } from '../src/db/seed-data';
import type { Db } from '../src/db/pool';
import type { OnboardVendorInput, VendorProductInput } from '../src/onboarding/contract';
import { edrpouControlDigit } from '../src/onboarding/schema';
import type { Platform } from './harness';

/** Seeded EDRPOUs start with 3 or 4 and the example's with 2, so codes starting with 1 never collide with them. */
export function freshEdrpou(): string {
  const first7 = `1${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
  return `${first7}${edrpouControlDigit(first7)}`;
}

export function freshIban(): string {
  return ukrainianIban('322001', `00000260${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 100)).padStart(2, '0')}`);
}

export function productLine(overrides: Partial<VendorProductInput> = {}): VendorProductInput {
  return {
    name: `Сир тестовий ${randomInt(0, 1e9)}, 250 г`,
    category: 'cheese',
    priceKop: 19_900,
    costKop: 11_000,
    weightG: 250,
    volumeMl: 270,
    ingredients: ['молоко', 'сіль', 'закваска'],
    allergens: ['молоко'],
    shelfLifeDays: 60,
    storage: 'chilled',
    media: [],
    initialQty: 20,
    ...overrides,
  };
}

export function vendorInput(platform: Platform, overrides: Partial<OnboardVendorInput> = {}): OnboardVendorInput {
  const edrpou = freshEdrpou();
  return {
    name: `Ферма «Тестова ${edrpou}»`,
    requisites: { legalName: `ФГ «Тестова ${edrpou}»`, edrpou, iban: freshIban() },
    contacts: { person: 'Ірина Тестова', email: `office-${edrpou}@example.com.ua`, phone: '+380671112233' },
    plan: 'standard',
    hubs: ['LVI'],
    products: [productLine()],
    priority: 'regular',
    language: 'uk',
    llmPool: platform.llmPool,
    ...overrides,
  };
}

/** An active seeded product to imitate, so the duplicate check has something real to find. */
export async function seededProduct(db: Db, category: string): Promise<{ id: number; sku: string; name: string; weightG: number; shelfLifeDays: number }> {
  const r = await db.query<{ id: number; sku: string; name: string; weightG: number; shelfLifeDays: number }>(
    `SELECT p.id, p.sku, p.name, p.weight_g AS "weightG", p.shelf_life_days AS "shelfLifeDays"
     FROM products p JOIN categories c ON c.id = p.category_id WHERE c.code = $1 AND p.active AND p.sku LIKE 'GF-___-____' ORDER BY p.id LIMIT 1`, [category]);
  return r.rows[0]!;
}

export interface DomainCounts {
  consignors: number;
  products: number;
  batches: number;
  onboardingRuns: number;
  proposals: number;
  pricingModels: number;
  expiryRules: number;
}

export async function domainCounts(db: Db): Promise<DomainCounts> {
  const r = await db.query<DomainCounts>(
    `SELECT (SELECT count(*)::int FROM consignors) AS consignors, (SELECT count(*)::int FROM products) AS products,
            (SELECT count(*)::int FROM batches) AS batches, (SELECT count(*)::int FROM onboarding_runs) AS "onboardingRuns",
            (SELECT count(*)::int FROM product_merge_proposals) AS proposals, (SELECT count(*)::int FROM consignor_pricing_models) AS "pricingModels",
            (SELECT count(*)::int FROM consignor_expiry_rules) AS "expiryRules"`);
  return r.rows[0]!;
}
