import { ApplicationFailure } from '@temporalio/activity';
import type pg from 'pg';
import { inTransaction, type Db } from '../db/pool';
import {
  ONBOARD_VENDOR_CREW,
  type BatchPlacement,
  type ChecklistItem,
  type ExpiryRule,
  type MergeProposal,
  type OnboardVendorInput,
  type OnboardingStep,
  type PricingLine,
  type PricingModel,
  type ProductCard,
  type StorageKind,
  type SuccessMetric,
} from '../onboarding/contract';
import {
  addDays,
  chooseHub,
  DELIVERY_DAYS,
  DUPLICATE_SIMILARITY,
  DUPLICATE_WEIGHT_TOLERANCE,
  expiryRuleFor,
  firstPayoutDate,
  firstSaleDate,
  launchChecklist,
  onboardingChecklist,
  PLAN_TERMS,
  successMetrics,
  type HubZoneOption,
  type LaunchFacts,
} from '../onboarding/rules';
import { describeIssues, isRequisitesIssue, OnboardVendorInputSchema, type ValidOnboardVendorInput } from '../onboarding/schema';
import { FailureType } from '../shared/errors';
import { applyBasisPoints, formatUah } from '../shared/money';
import { journaledStep } from './journal';
import { MIN_DAYS_LEFT_TO_SELL } from './orders';

export interface RegisteredVendor {
  onboardingId: number;
  consignorId: number;
  consignorCode: string;
  /** Fairness weight of the consignor's plan, when configured. */
  fairnessWeight?: number;
  name: string;
  plan: ValidOnboardVendorInput['plan'];
  language: 'uk' | 'en';
  region?: string;
  hubs: string[];
  today: string;
  products: { lineNo: number; name: string; category: string }[];
  checklist: ChecklistItem[];
}

export interface ReviewedProduct {
  lineNo: number;
  name: string;
  category: string;
  ingredients: string[];
  allergens: string[];
  weightG: number;
  volumeMl: number;
  storage: StorageKind;
  shelfLifeDays: number;
  description?: string;
  /** The most similar active card of another consignor, when it passes the duplicate threshold. */
  duplicate?: { productId: number; sku: string; name: string; similarity: number };
}

export interface CardCopy {
  lineNo: number;
  shortDescription: string;
  longDescription: string;
}

export interface CatalogOutcome {
  cards: ProductCard[];
  mergeProposals: MergeProposal[];
}

export interface WarehouseOutcome {
  placements: BatchPlacement[];
  expiryRules: ExpiryRule[];
}

export interface LaunchPlan {
  checklist: ChecklistItem[];
  metrics: SuccessMetric[];
  firstSaleDate: string;
  firstPayoutDate: string;
  /** Facts for the recommendations text, already formatted by code. */
  commission: string;
  paymentTermsDays: number;
  pending: string[];
  weakSpots: string[];
}

export interface CompensationOutcome {
  /** rolled_back: everything the run wrote is gone; suspended: rows others now reference stay, switched off. */
  mode: 'rolled_back' | 'suspended' | 'none';
}

function nonRetryable(type: FailureType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? undefined : [details] });
}

function skuOf(consignorCode: string, lineNo: number): string {
  return `GF-${consignorCode}-${String(lineNo).padStart(2, '0')}`;
}

// Serialises registrations so two consignors with one IBAN (not unique in the schema) cannot both slip in.
const REGISTER_LOCK_KEY = 'greenfood:onboarding-register';

interface RunRow {
  id: number;
  workflow_id: string;
  consignor_id: number | null;
  consignor_code: string;
  input: ValidOnboardVendorInput;
  status: 'running' | 'completed' | 'failed';
  today: string;
}

export interface OnboardingActivityDeps {
  db: Db;
  /** Fairness weight per plan (config FAIRNESS_WEIGHTS). */
  fairnessWeights?: Record<string, number>;
}

export function createOnboardingActivities(deps: OnboardingActivityDeps) {
  const { db } = deps;

  const asAgentStep = <T>(step: OnboardingStep, agent: string, work: () => Promise<T>): Promise<T> =>
    journaledStep(db, { crew: ONBOARD_VENDOR_CREW, step, agent }, work);

  async function loadRun(client: pg.PoolClient, onboardingId: number, lock = false): Promise<RunRow & { consignor_id: number }> {
    const run = await client.query<RunRow>(
      `SELECT id, workflow_id, consignor_id, consignor_code, input, status, to_char(registered_on, 'YYYY-MM-DD') AS today
       FROM onboarding_runs WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [onboardingId]);
    const row = run.rows[0];
    if (!row) throw nonRetryable(FailureType.InvalidInput, `no onboarding run ${onboardingId}`);
    if (row.consignor_id === null) throw nonRetryable(FailureType.InvalidInput, `onboarding run ${onboardingId} has no consignor any more (compensated)`);
    return row as RunRow & { consignor_id: number };
  }

  async function markChecklist(client: pg.PoolClient, onboardingId: number, code: string) {
    await client.query(
      `UPDATE onboarding_checklist_items SET status = 'done', done_at = coalesce(done_at, now()) WHERE onboarding_id = $1 AND code = $2`,
      [onboardingId, code]);
  }

  async function insertChecklist(client: pg.PoolClient, onboardingId: number, items: ChecklistItem[], offset: number) {
    for (const [i, item] of items.entries()) {
      await client.query(
        `INSERT INTO onboarding_checklist_items (onboarding_id, code, phase, position, title, owner, status, due_date, done_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8, CASE WHEN $7 = 'done' THEN now() END) ON CONFLICT (onboarding_id, code) DO NOTHING`,
        [onboardingId, item.code, item.phase, offset + i, item.title, item.owner, item.status, item.dueDate ?? null]);
    }
  }

  async function readChecklist(client: pg.PoolClient | Db, onboardingId: number): Promise<ChecklistItem[]> {
    const rows = await client.query<{ code: string; phase: ChecklistItem['phase']; title: string; owner: string; status: string; due: string | null }>(
      `SELECT code, phase, title, owner, status, to_char(due_date, 'YYYY-MM-DD') AS due
       FROM onboarding_checklist_items WHERE onboarding_id = $1 ORDER BY position, code`, [onboardingId]);
    return rows.rows.map((r) => ({
      code: r.code, phase: r.phase, title: r.title, owner: r.owner, status: r.status === 'done' ? 'done' : 'pending',
      ...(r.due ? { dueDate: r.due } : {}),
    }));
  }

  async function registered(client: pg.PoolClient, run: RunRow & { consignor_id: number }): Promise<RegisteredVendor> {
    const input = run.input;
    const categories = await client.query<{ code: string; name: string }>('SELECT code, name FROM categories WHERE code = ANY($1)', [input.products.map((p) => p.category)]);
    const nameOf = new Map(categories.rows.map((c) => [c.code, c.name]));
    return {
      onboardingId: run.id,
      consignorId: run.consignor_id,
      consignorCode: run.consignor_code,
      ...(deps.fairnessWeights?.[input.plan] !== undefined ? { fairnessWeight: deps.fairnessWeights[input.plan] } : {}),
      name: input.name,
      plan: input.plan,
      language: input.language,
      ...(input.region ? { region: input.region } : {}),
      hubs: input.hubs,
      today: run.today,
      products: input.products.map((p, i) => ({ lineNo: i + 1, name: p.name, category: nameOf.get(p.category) ?? p.category })),
      checklist: await readChecklist(client, run.id),
    };
  }

  return {
    /**
     * Assistant: validates requisites and the request, rejects a consignor already registered
     * (same EDRPOU or IBAN), and registers the new one in status `onboarding` with the code-decided
     * checklist. Any rejection happens before the first write, so a rejected request writes nothing.
     */
    async assistantRegisterVendor(raw: OnboardVendorInput, workflowId: string, runKey: string): Promise<RegisteredVendor> {
      return asAgentStep('assistant', 'assistant', async () => {
        const parsed = OnboardVendorInputSchema.safeParse(raw);
        if (!parsed.success) {
          const requisites = parsed.error.issues.some(isRequisitesIssue);
          throw nonRetryable(requisites ? FailureType.InvalidRequisites : FailureType.InvalidInput,
            `invalid onboarding request: ${describeIssues(parsed.error)}`);
        }
        const input = parsed.data as ValidOnboardVendorInput;
        return inTransaction(db, async (client) => {
          await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [REGISTER_LOCK_KEY]);
          const mine = await client.query<RunRow>(
            `SELECT id, workflow_id, consignor_id, consignor_code, input, status, to_char(registered_on, 'YYYY-MM-DD') AS today
             FROM onboarding_runs WHERE run_key = $1`, [runKey]);
          const existingRun = mine.rows[0];
          if (existingRun) {
            if (existingRun.consignor_id === null) throw nonRetryable(FailureType.InvalidInput, `onboarding ${runKey} was already compensated`);
            return registered(client, existingRun as RunRow & { consignor_id: number });
          }

          const { edrpou, iban, legalName } = input.requisites;
          const duplicate = await client.query<{ id: number; code: string; name: string; edrpou: string; iban: string; status: string }>(
            'SELECT id, code, name, edrpou, iban, status FROM consignors WHERE edrpou = $1 OR iban = $2 ORDER BY id LIMIT 1', [edrpou, iban]);
          const dup = duplicate.rows[0];
          if (dup) {
            const matchedOn = dup.edrpou === edrpou ? 'EDRPOU' : 'IBAN';
            throw nonRetryable(FailureType.DuplicateConsignor,
              `consignor ${dup.code} "${dup.name}" (${dup.status}) is already registered with this ${matchedOn}`,
              { consignorId: dup.id, consignorCode: dup.code, matchedOn });
          }

          const categories = await client.query<{ code: string }>('SELECT code FROM categories WHERE code = ANY($1)', [input.products.map((p) => p.category)]);
          const knownCategories = new Set(categories.rows.map((c) => c.code));
          const problems: string[] = [];
          input.products.forEach((p, i) => {
            if (!knownCategories.has(p.category)) problems.push(`products.${i}.category: unknown category ${p.category}`);
          });
          const hubs = await client.query<{ code: string }>('SELECT code FROM hubs WHERE code = ANY($1)', [input.hubs]);
          const knownHubs = new Set(hubs.rows.map((h) => h.code));
          for (const code of input.hubs) if (!knownHubs.has(code)) problems.push(`hubs: unknown hub ${code}`);
          const todayRow = await client.query<{ today: string }>(`SELECT to_char(current_date, 'YYYY-MM-DD') AS today`);
          const today = todayRow.rows[0]!.today;
          input.products.forEach((p, i) => {
            const produced = p.productionDate ?? today;
            const expiry = addDays(produced, p.shelfLifeDays);
            if (produced > today) problems.push(`products.${i}.productionDate: ${produced} is in the future`);
            else if (expiry <= addDays(today, MIN_DAYS_LEFT_TO_SELL)) {
              problems.push(`products.${i}.productionDate: a batch produced on ${produced} expires on ${expiry}, too soon to sell`);
            }
          });
          if (problems.length) throw nonRetryable(FailureType.InvalidInput, `invalid onboarding request: ${problems.join('; ')}`);

          const terms = PLAN_TERMS[input.plan];
          // Seeded consignors are C001..C024 with matching ids; new ones continue the series (C1000 after C999).
          const consignor = await client.query<{ id: number; code: string }>(
            `WITH n AS (SELECT nextval(pg_get_serial_sequence('consignors', 'id')) AS id)
             INSERT INTO consignors (id, code, name, legal_name, edrpou, iban, email, phone, plan, commission_bp, payment_terms_days, status)
             SELECT n.id, 'C' || lpad(n.id::text, greatest(3, length(n.id::text)), '0'), $1, $2, $3, $4, $5, $6, $7, $8, $9, 'onboarding' FROM n
             RETURNING id, code`,
            [input.name, legalName, edrpou, iban, input.contacts.email, input.contacts.phone, input.plan, terms.commissionBp, terms.paymentTermsDays]);
          const c = consignor.rows[0]!;
          const run = await client.query<RunRow>(
            `INSERT INTO onboarding_runs (run_key, workflow_id, edrpou, consignor_id, consignor_code, input, registered_on)
             VALUES ($1, $2, $3, $4, $5, $6, $7::date)
             RETURNING id, workflow_id, consignor_id, consignor_code, input, status, to_char(registered_on, 'YYYY-MM-DD') AS today`,
            [runKey, workflowId, edrpou, c.id, c.code, JSON.stringify(input), today]);
          const runRow = run.rows[0]! as RunRow & { consignor_id: number };
          await insertChecklist(client, runRow.id, onboardingChecklist(input, today), 0);
          return registered(client, runRow);
        });
      });
    },

    /** Assistant: stores the onboarding plan text (LLM or fallback) next to the checklist it explains. */
    async assistantRecordOnboardingPlan(onboardingId: number, planText: string): Promise<void> {
      await asAgentStep('assistant', 'assistant', async () => {
        await db.query('UPDATE onboarding_runs SET plan_text = $2 WHERE id = $1', [onboardingId, planText]);
      });
    },

    /**
     * Catalog: every submitted product with its attributes and, where one exists, the most similar
     * active card of another consignor in the same category and about the same pack size
     * (pg_trgm over the name, GIN-indexed `%` with the threshold set for this transaction).
     */
    async catalogReviewVendorProducts(onboardingId: number): Promise<ReviewedProduct[]> {
      return asAgentStep('catalog', 'catalog', () => inTransaction(db, async (client) => {
        const run = await loadRun(client, onboardingId);
        await client.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [String(DUPLICATE_SIMILARITY)]);
        const categories = await client.query<{ code: string; name: string }>('SELECT code, name FROM categories');
        const nameOf = new Map(categories.rows.map((c) => [c.code, c.name]));
        const reviewed: ReviewedProduct[] = [];
        for (const [i, p] of run.input.products.entries()) {
          const found = await client.query<{ id: number; sku: string; name: string; similarity: number }>(
            `SELECT p.id, p.sku, p.name, round(similarity(p.name, $2)::numeric, 3)::float8 AS similarity
             FROM products p
             WHERE p.category_id = (SELECT id FROM categories WHERE code = $1) AND p.active AND p.consignor_id <> $3
               AND p.name % $2 AND abs(p.weight_g - $4::int) <= $5::float8 * greatest(p.weight_g, $4::int)
             ORDER BY similarity(p.name, $2) DESC, p.id LIMIT 1`,
            [p.category, p.name, run.consignor_id, p.weightG, DUPLICATE_WEIGHT_TOLERANCE]);
          const dup = found.rows[0];
          reviewed.push({
            lineNo: i + 1, name: p.name, category: nameOf.get(p.category) ?? p.category, ingredients: p.ingredients, allergens: p.allergens,
            weightG: p.weightG, volumeMl: p.volumeMl, storage: p.storage, shelfLifeDays: p.shelfLifeDays,
            ...(p.description ? { description: p.description } : {}),
            ...(dup ? { duplicate: { productId: dup.id, sku: dup.sku, name: dup.name, similarity: dup.similarity } } : {}),
          });
        }
        return reviewed;
      }));
    },

    /**
     * Catalog: a draft card (inactive until launch) per new product, and a merge proposal instead of
     * a second card for a likely duplicate. SKUs derive from the consignor code and line, so a retry
     * inserts nothing twice.
     */
    async catalogCreateVendorCards(onboardingId: number, copies: CardCopy[], duplicates: { lineNo: number; productId: number; similarity: number }[]): Promise<CatalogOutcome> {
      return asAgentStep('catalog', 'catalog', () => inTransaction(db, async (client) => {
        const run = await loadRun(client, onboardingId, true);
        const lines = run.input.products.length;
        const covered = [...copies.map((c) => c.lineNo), ...duplicates.map((d) => d.lineNo)].sort((a, b) => a - b);
        if (covered.length !== lines || covered.some((n, i) => n !== i + 1)) {
          throw nonRetryable(FailureType.InvalidInput, `catalog needs exactly one card or merge proposal per product line (1..${lines}), got ${covered.join(',')}`);
        }
        for (const copy of copies) {
          const p = run.input.products[copy.lineNo - 1]!;
          await client.query(
            `INSERT INTO products (sku, consignor_id, category_id, name, short_description, long_description, price_kop, cost_kop,
                                   weight_g, volume_ml, ingredients, allergens, shelf_life_days, storage, media, active)
             SELECT $1, $2, c.id, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, false FROM categories c WHERE c.code = $3
             ON CONFLICT (sku) DO NOTHING`,
            [skuOf(run.consignor_code, copy.lineNo), run.consignor_id, p.category, p.name, copy.shortDescription, copy.longDescription,
              p.priceKop, p.costKop, p.weightG, p.volumeMl, p.ingredients, p.allergens, p.shelfLifeDays, p.storage, p.media]);
        }
        for (const d of duplicates) {
          const p = run.input.products[d.lineNo - 1]!;
          await client.query(
            `INSERT INTO product_merge_proposals (onboarding_id, line_no, existing_product_id, similarity, proposed_card)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (onboarding_id, line_no) DO NOTHING`,
            [onboardingId, d.lineNo, d.productId, d.similarity, JSON.stringify({ ...p, consignorCode: run.consignor_code })]);
        }
        await markChecklist(client, onboardingId, 'catalog');
        return readCatalog(client, run);
      }));
    },

    /**
     * Warehouse: places every new card on a hub with its temperature zone (the consignor's requested
     * hubs first), announces its first batch (status `created`, expiry from the shelf life) and sets
     * the expiry rules per category. Batch codes derive from the SKU, so a retry inserts nothing twice.
     */
    async warehousePlaceVendorBatches(onboardingId: number): Promise<WarehouseOutcome> {
      return asAgentStep('warehouse', 'warehouse', () => inTransaction(db, async (client) => {
        const run = await loadRun(client, onboardingId, true);
        const catalog = await readCatalog(client, run);
        const zones = await client.query<HubZoneOption>(
          `SELECT h.id AS "hubId", h.code AS "hubCode", z.id AS "zoneId", z.code AS "zoneCode", z.temperature_zone AS "temperatureZone", z.racks
           FROM hub_zones z JOIN hubs h ON h.id = z.hub_id ORDER BY h.code, z.code`);
        for (const card of catalog.cards) {
          const p = run.input.products[card.lineNo - 1]!;
          const choice = chooseHub(p.storage, run.input.hubs, zones.rows);
          if (!choice) throw nonRetryable(FailureType.NoHubForStorage, `no hub has a ${p.storage} zone for ${card.sku} "${p.name}"`);
          const produced = p.productionDate ?? run.today;
          const batchCode = `${card.sku}-L1`;
          await client.query(
            `INSERT INTO batches (code, product_id, consignor_id, origin_hub_id, production_date, expiry_date, status)
             VALUES ($1, $2, $3, $4, $5, $6, 'created') ON CONFLICT (code) DO NOTHING`,
            [batchCode, card.productId, run.consignor_id, choice.zone.hubId, produced, addDays(produced, p.shelfLifeDays)]);
          const batch = await client.query<{ id: number }>('SELECT id FROM batches WHERE code = $1', [batchCode]);
          await client.query(
            `INSERT INTO onboarding_batches (batch_id, onboarding_id, line_no, zone_id, requested_hub, qty, expected_arrival)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (batch_id) DO NOTHING`,
            [batch.rows[0]!.id, onboardingId, card.lineNo, choice.zone.zoneId, choice.requested, p.initialQty,
              addDays(run.today, choice.requested ? DELIVERY_DAYS.requested : DELIVERY_DAYS.other)]);
        }
        const shortest = new Map<string, number>();
        for (const card of catalog.cards) {
          const p = run.input.products[card.lineNo - 1]!;
          shortest.set(p.category, Math.min(shortest.get(p.category) ?? Infinity, p.shelfLifeDays));
        }
        for (const [category, shelf] of shortest) {
          const rule = expiryRuleFor(category, shelf, MIN_DAYS_LEFT_TO_SELL);
          await client.query(
            `INSERT INTO consignor_expiry_rules (consignor_id, category_id, alert_days_before, markdown_days_before, min_days_to_sell)
             SELECT $1, id, $3, $4, $5 FROM categories WHERE code = $2 ON CONFLICT (consignor_id, category_id) DO NOTHING`,
            [run.consignor_id, category, rule.alertDaysBefore, rule.markdownDaysBefore, rule.minDaysToSell]);
        }
        await markChecklist(client, onboardingId, 'warehouse');
        return readWarehouse(client, run);
      }));
    },

    /**
     * Finance: the pricing model by plan (commission in basis points, payment terms, monthly payout)
     * and the price check of every submitted product. A price at or below cost is a permanent
     * failure; a price whose commission eats the consignor's margin is only a warning, the
     * consignor's call.
     */
    async financeSetVendorPricing(onboardingId: number): Promise<PricingModel> {
      return asAgentStep('finance', 'finance', () => inTransaction(db, async (client) => {
        const run = await loadRun(client, onboardingId, true);
        const plan = run.input.plan;
        const terms = PLAN_TERMS[plan];
        const lines: PricingLine[] = run.input.products.map((p, i) => {
          const commissionKop = applyBasisPoints(p.priceKop, terms.commissionBp);
          const consignorNetKop = p.priceKop - commissionKop;
          return { lineNo: i + 1, name: p.name, priceKop: p.priceKop, costKop: p.costKop, commissionKop, consignorNetKop, consignorMarginKop: consignorNetKop - p.costKop };
        });
        const belowCost = lines.filter((l) => l.priceKop <= l.costKop);
        if (belowCost.length) {
          throw nonRetryable(FailureType.PriceBelowCost,
            `price must exceed cost: ${belowCost.map((l) => `line ${l.lineNo} "${l.name}" price ${formatUah(l.priceKop)} ≤ cost ${formatUah(l.costKop)}`).join('; ')}`,
            { lines: belowCost.map((l) => l.lineNo) });
        }
        const warnings = lines.filter((l) => l.consignorMarginKop < 0).map((l) =>
          `"${l.name}": after ${terms.commissionBp / 100} % commission the consignor gets ${formatUah(l.consignorNetKop)}, below its cost ${formatUah(l.costKop)}`);
        await client.query(
          `INSERT INTO consignor_pricing_models (consignor_id, onboarding_id, plan, commission_bp, payment_terms_days, payout_schedule, lines, warnings)
           VALUES ($1, $2, $3, $4, $5, 'monthly', $6, $7) ON CONFLICT (consignor_id) DO NOTHING`,
          [run.consignor_id, onboardingId, plan, terms.commissionBp, terms.paymentTermsDays, JSON.stringify(lines), warnings]);
        await client.query('UPDATE consignors SET commission_bp = $2, payment_terms_days = $3 WHERE id = $1',
          [run.consignor_id, terms.commissionBp, terms.paymentTermsDays]);
        await markChecklist(client, onboardingId, 'pricing');
        return { plan, commissionBp: terms.commissionBp, paymentTermsDays: terms.paymentTermsDays, payoutSchedule: 'monthly', lines, warnings };
      }));
    },

    /**
     * Vendor Success: the launch checklist, success metrics, first sale and first payout dates,
     * all computed by code from what the other agents recorded; weak spots for the recommendations.
     */
    async vendorSuccessPlanLaunch(onboardingId: number): Promise<LaunchPlan> {
      return asAgentStep('vendor_success', 'vendor_success', () => inTransaction(db, async (client) => {
        const run = await loadRun(client, onboardingId, true);
        const catalog = await readCatalog(client, run);
        const warehouse = await readWarehouse(client, run);
        const pricing = await client.query<{ commission_bp: number; payment_terms_days: number; warnings: string[] }>(
          'SELECT commission_bp, payment_terms_days, warnings FROM consignor_pricing_models WHERE consignor_id = $1', [run.consignor_id]);
        const terms = pricing.rows[0];
        if (!terms) throw nonRetryable(FailureType.InvalidInput, `consignor ${run.consignor_code} has no pricing model yet`);
        const byHub = new Map<string, { hubCode: string; units: number; expectedArrival: string }>();
        for (const p of warehouse.placements) {
          const d = byHub.get(p.hubCode) ?? { hubCode: p.hubCode, units: 0, expectedArrival: p.expectedArrival };
          d.units += p.qty;
          if (p.expectedArrival > d.expectedArrival) d.expectedArrival = p.expectedArrival;
          byHub.set(p.hubCode, d);
        }
        const media = await client.query<{ with_photos: number }>(
          `SELECT count(*) FILTER (WHERE cardinality(media) > 0)::int AS with_photos FROM products WHERE consignor_id = $1`, [run.consignor_id]);
        const sale = firstSaleDate(run.today, warehouse.placements.map((p) => p.expectedArrival));
        const facts: LaunchFacts = {
          today: run.today,
          deliveries: [...byHub.values()].sort((a, b) => a.hubCode.localeCompare(b.hubCode)),
          mergeProposals: catalog.mergeProposals.length,
          firstSaleDate: sale,
          firstPayoutDate: firstPayoutDate(sale, terms.payment_terms_days),
          cards: catalog.cards.length,
          cardsWithPhotos: media.rows[0]?.with_photos ?? 0,
          shortestShelfLifeDays: Math.min(...run.input.products.map((p) => p.shelfLifeDays)),
        };
        const metrics = successMetrics(facts);
        const position = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM onboarding_checklist_items WHERE onboarding_id = $1', [onboardingId]);
        await insertChecklist(client, onboardingId, launchChecklist(facts), 100 + (position.rows[0]?.n ?? 0));
        await client.query(
          `INSERT INTO vendor_launch_plans (onboarding_id, consignor_id, first_sale_date, first_payout_date, metrics)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (onboarding_id) DO NOTHING`,
          [onboardingId, run.consignor_id, facts.firstSaleDate, facts.firstPayoutDate, JSON.stringify(metrics)]);
        const checklist = await readChecklist(client, onboardingId);
        const weakSpots = [
          ...(facts.cardsWithPhotos < facts.cards ? [`${facts.cards - facts.cardsWithPhotos} of ${facts.cards} card(s) have no photo`] : []),
          ...catalog.mergeProposals.map((m) => `"${m.name}" looks like existing ${m.existingSku} "${m.existingName}" (similarity ${m.similarity}); it waits for a merge decision and is not listed yet`),
          ...terms.warnings,
        ];
        return {
          checklist,
          metrics,
          firstSaleDate: facts.firstSaleDate,
          firstPayoutDate: facts.firstPayoutDate,
          commission: `${(terms.commission_bp / 100).toFixed(2)} %`,
          paymentTermsDays: terms.payment_terms_days,
          pending: checklist.filter((c) => c.status === 'pending' && c.code !== 'launch').map((c) => `${c.title} (${c.owner}${c.dueDate ? `, ${c.dueDate}` : ''})`),
          weakSpots,
        };
      }));
    },

    /** Vendor Success: stores the recommendations and launches: the cards go live and the consignor becomes active, in one transaction. */
    async vendorSuccessLaunchVendor(onboardingId: number, recommendations: string): Promise<ChecklistItem[]> {
      return asAgentStep('vendor_success', 'vendor_success', () => inTransaction(db, async (client) => {
        const run = await loadRun(client, onboardingId, true);
        await client.query('UPDATE vendor_launch_plans SET recommendations = $2, launched_at = coalesce(launched_at, now()) WHERE onboarding_id = $1',
          [onboardingId, recommendations]);
        await client.query(`UPDATE products SET active = true WHERE consignor_id = $1 AND sku LIKE $2 AND NOT active`,
          [run.consignor_id, `GF-${run.consignor_code}-%`]);
        await client.query(`UPDATE consignors SET status = 'active' WHERE id = $1 AND status = 'onboarding'`, [run.consignor_id]);
        await markChecklist(client, onboardingId, 'launch');
        await client.query(`UPDATE onboarding_runs SET status = 'completed', finished_at = coalesce(finished_at, now()) WHERE id = $1`, [onboardingId]);
        return readChecklist(client, onboardingId);
      }));
    },

    /**
     * Saga compensation after a later step failed for good: removes everything the run wrote
     * (consignor, draft cards, announced batches, rules, pricing, launch plan), so the corrected
     * request can be onboarded again under the same EDRPOU; merge proposals are withdrawn and the
     * run row keeps the failure. If another part of the platform already references those rows,
     * they cannot go: the consignor is suspended and its cards stay switched off instead.
     */
    async compensateVendorOnboarding(onboardingId: number, failureType: string, reason: string): Promise<CompensationOutcome> {
      const finish = async (client: pg.PoolClient, mode: 'rolled_back' | 'suspended') => {
        await client.query(`UPDATE product_merge_proposals SET status = 'withdrawn', decided_reason = 'onboarding failed' WHERE onboarding_id = $1 AND status = 'pending'`, [onboardingId]);
        await client.query(`UPDATE onboarding_checklist_items SET status = 'cancelled' WHERE onboarding_id = $1 AND status = 'pending'`, [onboardingId]);
        await client.query(
          `UPDATE onboarding_runs SET status = 'failed', failure_type = $2, failure_reason = $3, compensation = $4, finished_at = now() WHERE id = $1`,
          [onboardingId, failureType, reason.slice(0, 2000), mode]);
      };
      const state = await db.query<{ status: string; compensation: 'rolled_back' | 'suspended' | null; consignor_status: string | null }>(
        `SELECT r.status, r.compensation, c.status AS consignor_status FROM onboarding_runs r LEFT JOIN consignors c ON c.id = r.consignor_id WHERE r.id = $1`,
        [onboardingId]);
      const current = state.rows[0];
      if (!current) return { mode: 'none' };
      if (current.status === 'failed') return { mode: current.compensation ?? 'none' };
      // A launched consignor may already be selling: never undo it.
      if (current.consignor_status === 'active') return { mode: 'none' };
      try {
        await inTransaction(db, async (client) => {
          const run = await loadRun(client, onboardingId, true);
          await client.query('DELETE FROM vendor_launch_plans WHERE onboarding_id = $1', [onboardingId]);
          await client.query('DELETE FROM consignor_pricing_models WHERE consignor_id = $1', [run.consignor_id]);
          await client.query('DELETE FROM consignor_expiry_rules WHERE consignor_id = $1', [run.consignor_id]);
          await client.query('DELETE FROM onboarding_batches WHERE onboarding_id = $1', [onboardingId]);
          await client.query('DELETE FROM batches WHERE consignor_id = $1', [run.consignor_id]);
          await client.query('DELETE FROM products WHERE consignor_id = $1', [run.consignor_id]);
          await finish(client, 'rolled_back');
          await client.query(`DELETE FROM consignors WHERE id = $1 AND status = 'onboarding'`, [run.consignor_id]);
        });
        return { mode: 'rolled_back' };
      } catch (err) {
        if ((err as { code?: string }).code !== '23503') throw err;
      }
      await inTransaction(db, async (client) => {
        const run = await loadRun(client, onboardingId, true);
        await client.query(`UPDATE consignors SET status = 'suspended' WHERE id = $1 AND status = 'onboarding'`, [run.consignor_id]);
        await client.query('UPDATE products SET active = false WHERE consignor_id = $1', [run.consignor_id]);
        await finish(client, 'suspended');
      });
      return { mode: 'suspended' };
    },
  };

  async function readCatalog(client: pg.PoolClient, run: RunRow & { consignor_id: number }): Promise<CatalogOutcome> {
    const cards = await client.query<{ id: number; sku: string; name: string }>(
      'SELECT id, sku, name FROM products WHERE consignor_id = $1 AND sku LIKE $2 ORDER BY sku', [run.consignor_id, `GF-${run.consignor_code}-%`]);
    const proposals = await client.query<{ id: number; line_no: number; name: string; existing_id: number; existing_sku: string; existing_name: string; similarity: number }>(
      `SELECT m.id, m.line_no, m.proposed_card->>'name' AS name, p.id AS existing_id, p.sku AS existing_sku, p.name AS existing_name, m.similarity::float8 AS similarity
       FROM product_merge_proposals m JOIN products p ON p.id = m.existing_product_id WHERE m.onboarding_id = $1 ORDER BY m.line_no`, [run.id]);
    return {
      cards: cards.rows.map((c) => ({ lineNo: Number(c.sku.split('-').pop()), productId: c.id, sku: c.sku, name: c.name })),
      mergeProposals: proposals.rows.map((m) => ({
        lineNo: m.line_no, proposalId: m.id, name: m.name, existingProductId: m.existing_id, existingSku: m.existing_sku, existingName: m.existing_name, similarity: m.similarity,
      })),
    };
  }

  async function readWarehouse(client: pg.PoolClient, run: RunRow & { consignor_id: number }): Promise<WarehouseOutcome> {
    const placements = await client.query<BatchPlacement>(
      `SELECT ob.line_no AS "lineNo", p.sku, b.code AS "batchCode", h.code AS "hubCode", z.code AS "zoneCode", ob.requested_hub AS "requestedHub",
              ob.qty, to_char(b.production_date, 'YYYY-MM-DD') AS "productionDate", to_char(b.expiry_date, 'YYYY-MM-DD') AS "expiryDate",
              to_char(ob.expected_arrival, 'YYYY-MM-DD') AS "expectedArrival"
       FROM onboarding_batches ob JOIN batches b ON b.id = ob.batch_id JOIN products p ON p.id = b.product_id
       JOIN hub_zones z ON z.id = ob.zone_id JOIN hubs h ON h.id = z.hub_id
       WHERE ob.onboarding_id = $1 ORDER BY ob.line_no`, [run.id]);
    const rules = await client.query<ExpiryRule>(
      `SELECT c.code AS category, r.alert_days_before AS "alertDaysBefore", r.markdown_days_before AS "markdownDaysBefore", r.min_days_to_sell AS "minDaysToSell"
       FROM consignor_expiry_rules r JOIN categories c ON c.id = r.category_id WHERE r.consignor_id = $1 ORDER BY c.code`, [run.consignor_id]);
    return { placements: placements.rows, expiryRules: rules.rows };
  }
}

export type OnboardingActivities = ReturnType<typeof createOnboardingActivities>;
