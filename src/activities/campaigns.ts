import { ApplicationFailure } from '@temporalio/activity';
import type pg from 'pg';
import {
  MARKETING_CAMPAIGN_CREW,
  type CampaignChannel,
  type CampaignStep,
  type MarketingCampaignInput,
  type ProductFlag,
} from '../campaigns/contract';
import {
  baselineMilliPerDay,
  campaignDiscount,
  computeKpis,
  expectedPromoUnits,
  planMetrics,
  promoCodeFor,
  promoCodeLimits,
  type CampaignPlanMetrics,
  type KpiTarget,
} from '../campaigns/rules';
import { describeIssues, MarketingCampaignInputSchema } from '../campaigns/schema';
import { inTransaction, type Db } from '../db/pool';
import type { CampaignChannelContentOutput, CampaignPlanOutput, CampaignSeoOutput } from '../llm/contract';
import { FailureType } from '../shared/errors';
import type { PriorityTier } from '../shared/priority';
import { journaledStep } from './journal';
import { MIN_DAYS_LEFT_TO_SELL } from './orders';

export interface AcceptedCampaign {
  campaignId: string;
  name: string;
  goal: string;
  channels: CampaignChannel[];
  budgetKop: number;
  startDate: string;
  endDate: string;
  priority: PriorityTier;
  language: 'uk' | 'en';
  products: { productId: number; sku: string; name: string; category: string; consignorCode: string; priceKop: number; costKop: number }[];
  plan: CampaignPlanMetrics;
}

export interface AssessedProduct {
  productId: number;
  sku: string;
  name: string;
  category: string;
  consignorCode: string;
  priceKop: number;
  costKop: number;
  decision: 'promote' | 'dropped';
  flags: ProductFlag[];
  soldLast28d: number;
  baselineMilli: number;
  upliftBp: number;
  expectedUnits: number;
  sellableUnits: number;
  expiringUnits: number;
  earliestExpiry: string | null;
  /** The discount Finance will give (same pure rule), so SMM promises nothing Finance will not honour. */
  plannedDiscountBp: number;
}

export interface WarehouseAssessment {
  products: AssessedProduct[];
  /** True when this call found the campaign already registered (a retry or a re-run). */
  existing: boolean;
}

export interface StoredContent {
  channel: CampaignChannel;
  headline: string;
  promoCode: string;
  source: 'llm' | 'fallback';
}

export interface CampaignPricing {
  prices: { sku: string; regularPriceKop: number; costKop: number; discountBp: number; promoPriceKop: number; targetUnits: number }[];
  codes: { code: string; channel: CampaignChannel; usageLimit: number; maxUnitsPerUse: number }[];
}

function nonRetryable(type: FailureType, message: string, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? undefined : [details] });
}

const STATUS_ORDER = ['stock_confirmed', 'content_ready', 'seo_ready', 'priced', 'ready'] as const;
type CampaignStatus = (typeof STATUS_ORDER)[number];

/** Statuses only move forward, so a late retry of an earlier step never rewinds the campaign. */
async function advanceStatus(client: pg.PoolClient | Db, campaignId: string, status: CampaignStatus): Promise<void> {
  await client.query(
    `UPDATE campaigns SET status = $2, updated_at = now()
     WHERE id = $1 AND array_position($3::text[], status) < array_position($3::text[], $2)`,
    [campaignId, status, STATUS_ORDER]);
}

export interface CampaignActivityDeps {
  db: Db;
  /** Analytics reads from the replica (the primary when none is configured). */
  readDb: Db;
}

export function createCampaignActivities(deps: CampaignActivityDeps) {
  const { db, readDb } = deps;

  const asAgentStep = <T>(step: CampaignStep, agent: string, work: () => Promise<T>): Promise<T> =>
    journaledStep(db, { crew: MARKETING_CAMPAIGN_CREW, step, agent }, work);

  async function storedAssessment(client: pg.PoolClient, campaignId: string): Promise<AssessedProduct[]> {
    const rows = await client.query<{
      product_id: number; sku: string; name: string; category: string; consignor_code: string; price_kop: number; cost_kop: number;
      decision: 'promote' | 'dropped'; flags: ProductFlag[]; sold_last_28d: number; baseline_milli_per_day: number; uplift_bp: number;
      expected_units: number; sellable_units: number; expiring_units: number; earliest: string | null; max_discount_bp: number;
    }>(
      `SELECT cp.product_id, p.sku, p.name, c.code AS category, co.code AS consignor_code, p.price_kop, p.cost_kop, cp.decision, cp.flags,
              cp.sold_last_28d, cp.baseline_milli_per_day, cp.uplift_bp, cp.expected_units, cp.sellable_units, cp.expiring_units,
              to_char(cp.earliest_expiry, 'YYYY-MM-DD') AS earliest, k.max_discount_bp
       FROM campaign_products cp JOIN products p ON p.id = cp.product_id JOIN categories c ON c.id = p.category_id
       JOIN consignors co ON co.id = p.consignor_id JOIN campaigns k ON k.id = cp.campaign_id
       WHERE cp.campaign_id = $1 ORDER BY array_position(ARRAY(SELECT jsonb_array_elements_text(k.plan->'skus')), p.sku), p.sku`, [campaignId]);
    return rows.rows.map((r) => ({
      productId: r.product_id, sku: r.sku, name: r.name, category: r.category, consignorCode: r.consignor_code, priceKop: r.price_kop, costKop: r.cost_kop,
      decision: r.decision, flags: r.flags, soldLast28d: r.sold_last_28d, baselineMilli: r.baseline_milli_per_day, upliftBp: r.uplift_bp,
      expectedUnits: r.expected_units, sellableUnits: r.sellable_units, expiringUnits: r.expiring_units, earliestExpiry: r.earliest,
      plannedDiscountBp: r.decision === 'promote' ? campaignDiscount(r.price_kop, r.cost_kop, r.max_discount_bp).discountBp : 0,
    }));
  }

  return {
    /** Assistant: validates the campaign at the edge, resolves its products and decides the plan's metrics; writes nothing. */
    async campaignAssistantAccept(raw: MarketingCampaignInput): Promise<AcceptedCampaign> {
      return asAgentStep('assistant', 'assistant', async () => {
        const parsed = MarketingCampaignInputSchema.safeParse(raw);
        if (!parsed.success) throw nonRetryable(FailureType.InvalidInput, `invalid campaign: ${describeIssues(parsed.error)}`);
        const c = parsed.data;
        const registered = await db.query('SELECT 1 FROM campaigns WHERE id = $1', [c.campaignId]);
        if (registered.rowCount === 0) {
          const today = await db.query<{ today: string }>(`SELECT to_char(current_date, 'YYYY-MM-DD') AS today`);
          if (c.startDate < today.rows[0]!.today) throw nonRetryable(FailureType.InvalidInput, `invalid campaign: startDate ${c.startDate} is in the past`);
        }
        const products = await db.query<AcceptedCampaign['products'][number]>(
          `SELECT p.id AS "productId", p.sku, p.name, c.code AS category, co.code AS "consignorCode", p.price_kop AS "priceKop", p.cost_kop AS "costKop"
           FROM products p JOIN categories c ON c.id = p.category_id JOIN consignors co ON co.id = p.consignor_id WHERE p.sku = ANY($1) AND p.active`, [c.products]);
        const bySku = new Map(products.rows.map((p) => [p.sku, p]));
        const unknown = c.products.filter((s) => !bySku.has(s));
        if (unknown.length) throw nonRetryable(FailureType.UnknownProduct, `unknown or inactive product(s): ${unknown.join(', ')}`);
        return {
          campaignId: c.campaignId, name: c.name, goal: c.goal, channels: c.channels, budgetKop: c.budgetKop,
          startDate: c.startDate, endDate: c.endDate, priority: c.priority, language: c.language,
          products: c.products.map((s) => bySku.get(s)!),
          plan: planMetrics(c),
        };
      });
    },

    /**
     * Warehouse: expected promo demand per product (baseline × uplift × days) against stock that is
     * free and stays sellable through the campaign's last day. A product with no free stock at all
     * is refused — the whole campaign fails and nothing is written; a product whose stock all
     * expires before the end is dropped and flagged. Registers the campaign when it passes.
     */
    async campaignWarehouseAssess(workflowId: string, accepted: AcceptedCampaign, planText: CampaignPlanOutput): Promise<WarehouseAssessment> {
      return asAgentStep('warehouse', 'warehouse', () => inTransaction(db, async (client) => {
        // Serialises a double start of one campaign id; the id is the business key.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`campaign:${accepted.campaignId}`]);
        const existing = await client.query<{ workflow_id: string; status: string }>('SELECT workflow_id, status FROM campaigns WHERE id = $1', [accepted.campaignId]);
        const row = existing.rows[0];
        if (row) {
          if (row.workflow_id !== workflowId) throw nonRetryable(FailureType.InvalidInput, `campaign id ${accepted.campaignId} is already used by ${row.workflow_id}`);
          if (row.status === 'failed') {
            await client.query(`UPDATE campaigns SET status = 'stock_confirmed', failure_reason = NULL, updated_at = now() WHERE id = $1`, [accepted.campaignId]);
          }
          return { products: await storedAssessment(client, accepted.campaignId), existing: true };
        }

        const ids = accepted.products.map((p) => p.productId);
        const stock = await client.query<{ product_id: number; sellable: number; expiring: number; earliest: string | null }>(
          `SELECT b.product_id,
                  coalesce(sum(s.qty_on_hand - s.qty_reserved) FILTER (WHERE b.expiry_date > $2::date + $3::int), 0)::int AS sellable,
                  coalesce(sum(s.qty_on_hand - s.qty_reserved) FILTER (WHERE b.expiry_date <= $2::date + $3::int), 0)::int AS expiring,
                  to_char(min(b.expiry_date) FILTER (WHERE s.qty_on_hand > s.qty_reserved AND b.expiry_date > $2::date + $3::int), 'YYYY-MM-DD') AS earliest
           FROM batches b JOIN stock s ON s.batch_id = b.id
           WHERE b.product_id = ANY($1) AND b.status IN ('in_stock', 'partly_sold') AND b.expiry_date > current_date + $3::int
           GROUP BY b.product_id`, [ids, accepted.endDate, MIN_DAYS_LEFT_TO_SELL]);
        const sold = await client.query<{ product_id: number; sold: number }>(
          `SELECT l.product_id, sum(l.qty)::int AS sold FROM order_lines l JOIN orders o ON o.id = l.order_id
           WHERE l.product_id = ANY($1) AND o.status <> 'cancelled' AND o.created_at >= now() - interval '28 days'
           GROUP BY l.product_id`, [ids]);
        const stockOf = new Map(stock.rows.map((r) => [r.product_id, r]));
        const soldOf = new Map(sold.rows.map((r) => [r.product_id, r.sold]));

        const refused = accepted.products.filter((p) => {
          const s = stockOf.get(p.productId);
          return !s || s.sellable + s.expiring <= 0;
        });
        if (refused.length) {
          throw nonRetryable(FailureType.CampaignOutOfStock,
            `cannot promote what is not in stock: ${refused.map((p) => `${p.sku} (${p.name})`).join(', ')} ha${refused.length === 1 ? 's' : 've'} no free sellable units`,
            { skus: refused.map((p) => p.sku) });
        }

        const plan = accepted.plan;
        const products: AssessedProduct[] = accepted.products.map((p) => {
          const s = stockOf.get(p.productId)!;
          const soldLast28d = soldOf.get(p.productId) ?? 0;
          const baselineMilli = baselineMilliPerDay(soldLast28d, p.category);
          const expectedUnits = expectedPromoUnits(baselineMilli, plan.upliftBp, plan.days);
          const flags: ProductFlag[] = [];
          if (s.sellable <= 0) flags.push('expires_before_campaign_end');
          else if (s.sellable < expectedUnits) flags.push('stock_below_demand');
          if (s.expiring > 0) flags.push('expiring_units');
          const decision = s.sellable > 0 ? 'promote' : 'dropped';
          const plannedDiscountBp = decision === 'promote' ? campaignDiscount(p.priceKop, p.costKop, plan.maxDiscountBp).discountBp : 0;
          if (decision === 'promote' && plannedDiscountBp === 0) flags.push('no_margin_for_discount');
          return {
            ...p, decision, flags, soldLast28d, baselineMilli, upliftBp: plan.upliftBp, expectedUnits,
            sellableUnits: s.sellable, expiringUnits: s.expiring, earliestExpiry: s.earliest, plannedDiscountBp,
          };
        });
        if (!products.some((p) => p.decision === 'promote')) {
          throw nonRetryable(FailureType.CampaignOutOfStock,
            `nothing to promote: the stock of ${products.map((p) => p.sku).join(', ')} expires before the campaign ends on ${accepted.endDate}`,
            { skus: products.map((p) => p.sku) });
        }

        await client.query(
          `INSERT INTO campaigns (id, workflow_id, name, goal, objective, channels, budget_kop, start_date, end_date, priority, plan, max_discount_bp, status)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,'stock_confirmed')`,
          [accepted.campaignId, workflowId, accepted.name, accepted.goal, plan.objective, accepted.channels, accepted.budgetKop,
            accepted.startDate, accepted.endDate, accepted.priority,
            JSON.stringify({ ...plan, skus: accepted.products.map((p) => p.sku), text: planText }), plan.maxDiscountBp]);
        for (const p of products) {
          await client.query(
            `INSERT INTO campaign_products (campaign_id, product_id, decision, flags, sold_last_28d, baseline_milli_per_day, uplift_bp,
                                            expected_units, sellable_units, expiring_units, earliest_expiry)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
            [accepted.campaignId, p.productId, p.decision, p.flags, p.soldLast28d, p.baselineMilli, p.upliftBp,
              p.expectedUnits, p.sellableUnits, p.expiringUnits, p.earliestExpiry]);
        }
        return { products, existing: false };
      }));
    },

    /** SMM: stores each channel's content once; a retry returns what was stored first. */
    async smmRecordContent(campaignId: string, items: (CampaignChannelContentOutput & { channel: CampaignChannel; promoCode: string; source: 'llm' | 'fallback' })[]): Promise<StoredContent[]> {
      return asAgentStep('smm', 'smm', () => inTransaction(db, async (client) => {
        for (const item of items) {
          await client.query(
            `INSERT INTO campaign_content (campaign_id, channel, headline, body, call_to_action, hashtags, promo_code, source)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (campaign_id, channel) DO NOTHING`,
            [campaignId, item.channel, item.headline, item.body, item.callToAction, item.hashtags, item.promoCode, item.source]);
        }
        await advanceStatus(client, campaignId, 'content_ready');
        const rows = await client.query<{ channel: CampaignChannel; headline: string; promo_code: string; source: 'llm' | 'fallback' }>(
          `SELECT channel, headline, promo_code, source FROM campaign_content WHERE campaign_id = $1
           ORDER BY array_position($2::text[], channel)`, [campaignId, items.map((i) => i.channel)]);
        return rows.rows.map((r) => ({ channel: r.channel, headline: r.headline, promoCode: r.promo_code, source: r.source }));
      }));
    },

    /** SEO: stores the landing page once under its code-made slug. */
    async seoRecordPage(campaignId: string, slug: string, page: CampaignSeoOutput, source: 'llm' | 'fallback'): Promise<{ slug: string; title: string }> {
      return asAgentStep('seo', 'seo', () => inTransaction(db, async (client) => {
        await client.query(
          `INSERT INTO campaign_pages (campaign_id, slug, title, meta_description, h1, keywords, faq, source)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT DO NOTHING`,
          [campaignId, slug, page.title, page.metaDescription, page.h1, page.keywords, JSON.stringify(page.faq), source]);
        const stored = await client.query<{ slug: string; title: string }>('SELECT slug, title FROM campaign_pages WHERE campaign_id = $1', [campaignId]);
        const row = stored.rows[0];
        if (!row) throw nonRetryable(FailureType.InvalidInput, `landing page slug ${slug} is already taken by another campaign`);
        await advanceStatus(client, campaignId, 'seo_ready');
        return row;
      }));
    },

    /**
     * Finance: campaign prices (the objective's discount ceiling, lowered to what each product's
     * margin carries; never below cost, also enforced by the database) and one promo code per
     * channel whose usage limits the sellable stock can honour.
     */
    async financePriceCampaign(campaignId: string): Promise<CampaignPricing> {
      return asAgentStep('finance', 'finance', () => inTransaction(db, async (client) => {
        const campaign = await client.query<{ channels: CampaignChannel[]; max_discount_bp: number; start_date: string; end_date: string }>(
          `SELECT channels, max_discount_bp, to_char(start_date, 'YYYY-MM-DD') AS start_date, to_char(end_date, 'YYYY-MM-DD') AS end_date
           FROM campaigns WHERE id = $1 FOR UPDATE`, [campaignId]);
        const c = campaign.rows[0];
        if (!c) throw nonRetryable(FailureType.InvalidInput, `campaign ${campaignId} is not registered`);
        const priced = await client.query('SELECT 1 FROM campaign_prices WHERE campaign_id = $1 LIMIT 1', [campaignId]);
        if (priced.rowCount === 0) {
          const products = await client.query<{ product_id: number; price_kop: number; cost_kop: number; expected_units: number; sellable_units: number }>(
            `SELECT cp.product_id, p.price_kop, p.cost_kop, cp.expected_units, cp.sellable_units
             FROM campaign_products cp JOIN products p ON p.id = cp.product_id
             WHERE cp.campaign_id = $1 AND cp.decision = 'promote' ORDER BY cp.product_id`, [campaignId]);
          for (const p of products.rows) {
            const { discountBp, promoPriceKop } = campaignDiscount(p.price_kop, p.cost_kop, c.max_discount_bp);
            await client.query(
              `INSERT INTO campaign_prices (campaign_id, product_id, regular_price_kop, cost_kop, discount_bp, promo_price_kop, target_units)
               VALUES ($1,$2,$3,$4,$5,$6,$7)`,
              [campaignId, p.product_id, p.price_kop, p.cost_kop, discountBp, promoPriceKop, Math.min(p.expected_units, p.sellable_units)]);
          }
          const sellable = products.rows.reduce((s, p) => s + p.sellable_units, 0);
          const { maxUnitsPerUse, usageLimits } = promoCodeLimits(c.channels, sellable);
          for (const [i, channel] of c.channels.entries()) {
            await client.query(
              `INSERT INTO promo_codes (code, campaign_id, channel, usage_limit, per_buyer_limit, max_units_per_use, valid_from, valid_to)
               VALUES ($1,$2,$3,$4,1,$5,$6,$7) ON CONFLICT DO NOTHING`,
              [promoCodeFor(campaignId, channel), campaignId, channel, usageLimits[i], maxUnitsPerUse, c.start_date, c.end_date]);
          }
          const mine = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM promo_codes WHERE campaign_id = $1', [campaignId]);
          if (mine.rows[0]!.n !== c.channels.length) {
            throw nonRetryable(FailureType.InvalidInput, `a promo code of campaign ${campaignId} collides with another campaign's code`);
          }
          await advanceStatus(client, campaignId, 'priced');
        }
        const prices = await client.query<{ sku: string; regular_price_kop: number; cost_kop: number; discount_bp: number; promo_price_kop: number; target_units: number }>(
          `SELECT p.sku, cp.regular_price_kop, cp.cost_kop, cp.discount_bp, cp.promo_price_kop, cp.target_units
           FROM campaign_prices cp JOIN products p ON p.id = cp.product_id WHERE cp.campaign_id = $1 ORDER BY p.sku`, [campaignId]);
        const codes = await client.query<{ code: string; channel: CampaignChannel; usage_limit: number; max_units_per_use: number }>(
          `SELECT code, channel, usage_limit, max_units_per_use FROM promo_codes WHERE campaign_id = $1
           ORDER BY array_position($2::text[], channel)`, [campaignId, c.channels]);
        return {
          prices: prices.rows.map((r) => ({ sku: r.sku, regularPriceKop: r.regular_price_kop, costKop: r.cost_kop, discountBp: r.discount_bp, promoPriceKop: r.promo_price_kop, targetUnits: r.target_units })),
          codes: codes.rows.map((r) => ({ code: r.code, channel: r.channel, usageLimit: r.usage_limit, maxUnitsPerUse: r.max_units_per_use })),
        };
      }));
    },

    /** Analytics: KPI targets computed by code from the stored campaign, on the read replica. */
    async analyticsComputeKpis(campaignId: string): Promise<KpiTarget[]> {
      return asAgentStep('analytics', 'analytics', async () => {
        const campaign = await readDb.query<{ budget_kop: number; start_date: string; end_date: string; plan: CampaignPlanMetrics }>(
          `SELECT budget_kop, to_char(start_date, 'YYYY-MM-DD') AS start_date, to_char(end_date, 'YYYY-MM-DD') AS end_date, plan
           FROM campaigns WHERE id = $1`, [campaignId]);
        const c = campaign.rows[0];
        const products = await readDb.query<{ target_units: number; promo_price_kop: number; cost_kop: number; baseline_milli_per_day: number }>(
          `SELECT cp.target_units, cp.promo_price_kop, cp.cost_kop, p.baseline_milli_per_day
           FROM campaign_prices cp JOIN campaign_products p ON p.campaign_id = cp.campaign_id AND p.product_id = cp.product_id
           WHERE cp.campaign_id = $1 ORDER BY cp.product_id`, [campaignId]);
        const codes = await readDb.query<{ channel: CampaignChannel; code: string; usage_limit: number }>(
          'SELECT channel, code, usage_limit FROM promo_codes WHERE campaign_id = $1', [campaignId]);
        // A replica that lags behind the Finance step shows no prices yet: retry until it catches up.
        if (!c || products.rowCount === 0 || codes.rowCount === 0) throw new Error(`campaign ${campaignId} is not yet visible on the read replica`);
        const audience = await readDb.query<{ n: number }>(`SELECT count(*)::int AS n FROM buyers WHERE email LIKE '%@%'`);
        return computeKpis({
          budgetKop: c.budget_kop, startDate: c.start_date, endDate: c.end_date, days: c.plan.days,
          emailAudience: audience.rows[0]?.n ?? 0,
          channelBudgets: c.plan.channelBudgets,
          codes: codes.rows.map((r) => ({ channel: r.channel, code: r.code, usageLimit: r.usage_limit })),
          products: products.rows.map((p) => ({ targetUnits: p.target_units, promoPriceKop: p.promo_price_kop, costKop: p.cost_kop, baselineMilli: p.baseline_milli_per_day })),
        });
      });
    },

    /** Analytics: stores the KPI targets and the measurement brief, and marks the campaign ready. */
    async analyticsRecordKpis(campaignId: string, kpis: KpiTarget[], brief: string): Promise<void> {
      await asAgentStep('analytics', 'analytics', () => inTransaction(db, async (client) => {
        for (const k of kpis) {
          await client.query(
            `INSERT INTO campaign_kpis (campaign_id, code, label, channel, target, unit, measured_by)
             VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (campaign_id, code) DO NOTHING`,
            [campaignId, k.code, k.label, k.channel ?? null, k.target, k.unit, k.measuredBy]);
        }
        await client.query('UPDATE campaigns SET kpi_brief = coalesce(kpi_brief, $2), updated_at = now() WHERE id = $1', [campaignId, brief]);
        await advanceStatus(client, campaignId, 'ready');
      }));
    },

    /** Marks a registered campaign failed (its rows stay for the operator; a re-run resumes it). */
    async campaignMarkFailed(campaignId: string, reason: string): Promise<void> {
      await db.query(`UPDATE campaigns SET status = 'failed', failure_reason = $2, updated_at = now() WHERE id = $1 AND status <> 'ready'`,
        [campaignId, reason.slice(0, 1000)]);
    },
  };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
