import { ApplicationFailure } from '@temporalio/activity';
import type pg from 'pg';
import { inTransaction, type Db } from '../db/pool';
import type {
  SettlementAnalyticsInput,
  SettlementComplianceInput,
  SettlementPlanInput,
  SettlementRecommendationsInput,
  SettlementRecommendationsOutput,
} from '../llm/tasks/settlement.contract';
import {
  MONTHLY_SETTLEMENT_CREW,
  settlementLedgerKey,
  type PayoutCounts,
  type PayoutDecisionOutcome,
  type PayoutStatus,
} from '../settlement/contract';
import { renderActHtml, renderActMarkdown, type SettlementActLine } from '../settlement/render';
import { FailureType } from '../shared/errors';
import { formatUah } from '../shared/money';
import {
  adjustmentSeverity,
  carriedOverKop,
  changeBp,
  computeSettlement,
  formatBp,
  isAutoApprovable,
  isPeriod,
  periodDates,
  previousPeriod,
  priceChangeSeverity,
  returnRateSeverity,
  SEVERITY_RANK,
  settlementInvariantViolations,
  STOCK_MOVEMENT_SIGN,
  writeOffSeverity,
  type SettlementFigures,
  type Severity,
  type StorageClass,
} from '../shared/settlement-math';
import { journaledStep } from './journal';

/** The act lists this many products; the rest are summed up in one line. */
const ACT_MAX_LINES = 50;
/** Findings the Compliance narrative is given (most severe first); all are stored. */
const NARRATIVE_MAX_FINDINGS = 30;

function nonRetryable(type: FailureType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

function requirePeriod(period: string): void {
  if (!isPeriod(period)) throw nonRetryable(FailureType.InvalidInput, `period must be YYYY-MM, got ${String(period)}`);
}

/** `$n` bounds of a period as instants at Kyiv midnight, for comparisons with timestamptz columns. */
const KYIV = `'Europe/Kyiv'`;
function bounds(startParam: string, endParam: string): string {
  return `(${startParam}::date)::timestamp AT TIME ZONE ${KYIV} AS s, (${endParam}::date)::timestamp AT TIME ZONE ${KYIV} AS e`;
}

const SIGN_SQL = `CASE m.kind ${Object.entries(STOCK_MOVEMENT_SIGN).map(([k, v]) => `WHEN '${k}' THEN ${v}`).join(' ')} ELSE 0 END`;

export interface SettlementPlanFacts extends Omit<SettlementPlanInput, 'steps'> {
  consignorCodes?: string[];
}

export interface ConsignorStatement {
  consignor: { code: string; name: string };
  figures: SettlementFigures;
  payoutStatus: PayoutStatus;
  reused: boolean;
  /** Vendor Success input, grounded in this statement; absent when recommendations are already stored. */
  recommendationsInput?: SettlementRecommendationsInput;
}

export interface PendingPayouts {
  pending: { consignorCode: string; payoutKop: number }[];
  counts: PayoutCounts;
}

interface StatementRow {
  id: number;
  period: string;
  opening_kop: number;
  sales_kop: number;
  returns_kop: number;
  commission_kop: number;
  logistics_fee_kop: number;
  storage_fee_kop: number;
  fees_kop: number;
  adjustments_kop: number;
  net_kop: number;
  closing_kop: number;
  payout_kop: number;
  carried_over_kop: number | null;
  recommendations: unknown;
}

function figuresOf(row: StatementRow): SettlementFigures {
  return {
    openingKop: row.opening_kop, salesKop: row.sales_kop, returnsKop: row.returns_kop, commissionKop: row.commission_kop,
    logisticsFeeKop: row.logistics_fee_kop, storageFeeKop: row.storage_fee_kop, feesKop: row.fees_kop,
    adjustmentsKop: row.adjustments_kop, netKop: row.net_kop, closingKop: row.closing_kop, payoutKop: row.payout_kop,
  };
}

function percent(numerator: number, denominator: number): string {
  if (denominator <= 0) return '0.00 %';
  return `${(Math.round((numerator * 10_000) / denominator) / 100).toFixed(2)} %`;
}

export interface SettlementActivityDeps {
  db: Db;
  /** Read replica (or the primary) for reports; never for the money, which must read what it writes. */
  readDb: Db;
}

export function createSettlementActivities(deps: SettlementActivityDeps) {
  const { db, readDb } = deps;
  const step = <T>(stepName: string, agent: string, work: () => Promise<T>): Promise<T> =>
    journaledStep(db, { crew: MONTHLY_SETTLEMENT_CREW, step: stepName, agent }, work);

  /** Sales and reversals of one consignor in a period, per ledger transaction, with goods value from its order lines. */
  const CONSIGNOR_TXNS = `
    txn AS (
      SELECT t.id, t.kind, t.order_id, -sum(p.amount_kop) AS payable
      FROM ledger_transactions t JOIN ledger_postings p ON p.txn_id = t.id, b
      WHERE t.kind IN ('sale', 'sale_reversal') AND t.created_at >= b.s AND t.created_at < b.e
        AND p.account = 'consignor_payable' AND p.consignor_id = $1
      GROUP BY t.id
    )`;

  async function readStatement(client: pg.PoolClient, period: string, consignorId: number): Promise<(StatementRow & { payout_status: PayoutStatus }) | undefined> {
    const r = await client.query<StatementRow & { payout_status: PayoutStatus }>(
      `SELECT s.*, p.status AS payout_status FROM settlement_statements s JOIN settlement_payouts p ON p.statement_id = s.id
       WHERE s.period = $1 AND s.consignor_id = $2`, [period, consignorId]);
    return r.rows[0];
  }

  async function vendorSuccessFacts(client: pg.PoolClient, period: string, consignor: { id: number; code: string; name: string }, f: SettlementFigures, lines: SettlementActLine[], unitDays: Record<StorageClass, number>): Promise<SettlementRecommendationsInput> {
    const prev = await client.query<{ sales_kop: number }>(
      'SELECT sales_kop FROM settlement_statements WHERE consignor_id = $1 AND period = $2', [consignor.id, previousPeriod(period)]);
    const stock = await client.query<{ units: number; products: number }>(
      `SELECT coalesce(sum(s.qty_on_hand), 0)::int AS units, count(DISTINCT b.product_id)::int AS products
       FROM stock s JOIN batches b ON b.id = s.batch_id WHERE b.consignor_id = $1 AND s.qty_on_hand > 0`, [consignor.id]);
    const top = lines[0];
    const totalUnitDays = unitDays.ambient + unitDays.chilled + unitDays.frozen;
    const prevSales = prev.rows[0]?.sales_kop;
    return {
      period,
      consignor: { code: consignor.code, name: consignor.name },
      facts: [
        { key: 'sales', label: 'продажі', value: formatUah(f.salesKop) },
        { key: 'return_rate', label: 'частка повернень', value: percent(f.returnsKop, f.salesKop) },
        { key: 'net', label: 'нетто за період', value: formatUah(f.netKop) },
        { key: 'payout', label: 'пропонована виплата', value: formatUah(f.payoutKop) },
        { key: 'storage_fee', label: `зберігання (${totalUnitDays} од.-днів)`, value: formatUah(f.storageFeeKop) },
        { key: 'stock_units', label: 'залишок на хабах', value: `${stock.rows[0]?.units ?? 0} од. (${stock.rows[0]?.products ?? 0} товарів)` },
        ...(top ? [{ key: 'top_product', label: 'найкращий товар', value: `${top.name} (${top.soldQty} шт., ${formatUah(top.salesKop)})` }] : []),
        ...(prevSales !== undefined ? [{ key: 'sales_change', label: 'зміна продажів до попереднього місяця', value: formatBp(changeBp(prevSales, f.salesKop)) }] : []),
      ],
    };
  }

  return {
    /** Assistant: checks the request and counts what the crew will read; registers the run. */
    async settlementPlan(request: { period: string; consignors?: string[]; workflowId: string }): Promise<SettlementPlanFacts> {
      return step('assistant', 'assistant', async () => {
        requirePeriod(request.period);
        const codes = request.consignors;
        if (codes !== undefined) {
          if (codes.length === 0) throw nonRetryable(FailureType.InvalidInput, 'consignors, when given, must name at least one consignor');
          const known = await readDb.query<{ code: string }>('SELECT code FROM consignors WHERE code = ANY($1)', [codes]);
          const unknown = codes.filter((c) => !known.rows.some((r) => r.code === c));
          if (unknown.length) throw nonRetryable(FailureType.UnknownConsignor, `unknown consignor(s): ${unknown.join(', ')}`);
        }
        const { start, end } = periodDates(request.period);
        const counts = await readDb.query<Omit<SettlementPlanFacts, 'period' | 'scope' | 'consignorCodes'>>(
          `WITH b AS (SELECT ${bounds('$1', '$2')}),
                scope AS (SELECT id FROM consignors WHERE ($3::text[] IS NULL AND status <> 'onboarding') OR code = ANY($3))
           SELECT (SELECT count(*) FROM scope)::int AS consignors,
                  (SELECT count(DISTINCT t.id) FROM ledger_transactions t JOIN ledger_postings p ON p.txn_id = t.id, b
                    WHERE t.kind = 'sale' AND t.created_at >= b.s AND t.created_at < b.e AND p.consignor_id IN (SELECT id FROM scope))::int AS "saleTransactions",
                  (SELECT count(DISTINCT t.id) FROM ledger_transactions t JOIN ledger_postings p ON p.txn_id = t.id, b
                    WHERE t.kind = 'sale_reversal' AND t.created_at >= b.s AND t.created_at < b.e AND p.consignor_id IN (SELECT id FROM scope))::int AS "reversalTransactions",
                  (SELECT count(*) FROM stock_movements m JOIN batches ba ON ba.id = m.batch_id, b
                    WHERE m.created_at >= b.s AND m.created_at < b.e AND ba.consignor_id IN (SELECT id FROM scope))::int AS "stockMovements",
                  (SELECT count(*) FROM price_changes pc JOIN products pr ON pr.id = pc.product_id, b
                    WHERE pc.created_at >= b.s AND pc.created_at < b.e AND pr.consignor_id IN (SELECT id FROM scope))::int AS "priceChanges",
                  (SELECT count(DISTINCT t.id) FROM ledger_transactions t JOIN ledger_postings p ON p.txn_id = t.id, b
                    WHERE t.kind = 'adjustment' AND t.created_at >= b.s AND t.created_at < b.e AND p.consignor_id IN (SELECT id FROM scope))::int AS "balanceAdjustments"`,
          [start, end, codes ?? null]);
        const scope = codes ? `${codes.length} selected consignor(s)` : 'all consignors past onboarding';
        await db.query(
          `INSERT INTO settlement_runs (period, workflow_id, scope, status) VALUES ($1, $2, $3, 'computing')
           ON CONFLICT (period) DO UPDATE SET workflow_id = EXCLUDED.workflow_id, scope = EXCLUDED.scope, status = 'computing',
             updated_at = now(), completed_at = NULL`,
          [request.period, request.workflowId, scope]);
        return { period: request.period, scope, ...counts.rows[0]! };
      });
    },

    /** Stores one part of the run's report (plan, analytics, compliance, totals). */
    async settlementRecordRunReport(request: { period: string; part: 'plan' | 'analytics' | 'compliance' | 'totals'; report: unknown; status?: 'awaiting_decisions' | 'completed' }): Promise<void> {
      const column = { plan: 'plan', analytics: 'analytics', compliance: 'compliance', totals: 'totals' }[request.part];
      await db.query(
        `UPDATE settlement_runs SET ${column} = $2, status = coalesce($3, status), updated_at = now(),
           completed_at = CASE WHEN $3 = 'completed' THEN now() ELSE completed_at END WHERE period = $1`,
        [request.period, JSON.stringify(request.report), request.status ?? null]);
    },

    /** One page of the consignors to settle, in code order (the parent's continue-as-new cursor). */
    async settlementListConsignors(request: { consignors?: string[]; after?: string; limit: number }): Promise<string[]> {
      const r = await readDb.query<{ code: string }>(
        `SELECT code FROM consignors
         WHERE (($1::text[] IS NULL AND status <> 'onboarding') OR code = ANY($1)) AND ($2::text IS NULL OR code > $2)
         ORDER BY code LIMIT $3`, [request.consignors ?? null, request.after ?? null, request.limit]);
      return r.rows.map((row) => row.code);
    },

    /** Analytics: turnover by consignor, product and hub, month over month, and rule-based anomalies (read replica). */
    async settlementAnalytics(request: { period: string; consignors?: string[] }): Promise<{ input: SettlementAnalyticsInput; report: Record<string, unknown> }> {
      return step('analytics', 'analytics', async () => {
        const prev = previousPeriod(request.period);
        const cur = periodDates(request.period);
        const before = periodDates(prev);
        const scope = request.consignors ?? null;
        // Turnover = goods sold minus goods reversed, per consignor, for this and the previous month.
        const byConsignor = await readDb.query<{ code: string; name: string; cur_sales: number; cur_returns: number; prev_sales: number; prev_returns: number; stock_units: number }>(
          `WITH b AS (SELECT ${bounds('$1', '$2')}, (($3::date)::timestamp AT TIME ZONE ${KYIV}) AS ps),
                scope AS (SELECT id, code, name FROM consignors WHERE ($4::text[] IS NULL AND status <> 'onboarding') OR code = ANY($4)),
                moves AS (
                  SELECT l.consignor_id, t.kind, t.created_at >= b.s AS current, sum(l.unit_price_kop * l.qty - l.discount_kop) AS goods
                  FROM ledger_transactions t JOIN order_lines l ON l.order_id = t.order_id, b
                  WHERE t.kind IN ('sale', 'sale_reversal') AND t.created_at >= b.ps AND t.created_at < b.e
                    AND l.consignor_id IN (SELECT id FROM scope)
                  GROUP BY 1, 2, 3)
           SELECT c.code, c.name,
                  coalesce(sum(m.goods) FILTER (WHERE m.current AND m.kind = 'sale'), 0)::bigint AS cur_sales,
                  coalesce(sum(m.goods) FILTER (WHERE m.current AND m.kind = 'sale_reversal'), 0)::bigint AS cur_returns,
                  coalesce(sum(m.goods) FILTER (WHERE NOT m.current AND m.kind = 'sale'), 0)::bigint AS prev_sales,
                  coalesce(sum(m.goods) FILTER (WHERE NOT m.current AND m.kind = 'sale_reversal'), 0)::bigint AS prev_returns,
                  (SELECT coalesce(sum(s.qty_on_hand), 0) FROM stock s JOIN batches ba ON ba.id = s.batch_id WHERE ba.consignor_id = c.id)::int AS stock_units
           FROM scope c LEFT JOIN moves m ON m.consignor_id = c.id
           GROUP BY c.id, c.code, c.name`,
          [cur.start, cur.end, before.start, scope]);
        const byProduct = await readDb.query<{ sku: string; name: string; turnover: number; units: number }>(
          `WITH b AS (SELECT ${bounds('$1', '$2')})
           SELECT p.sku, p.name,
                  sum(CASE t.kind WHEN 'sale' THEN 1 ELSE -1 END * (l.unit_price_kop * l.qty - l.discount_kop))::bigint AS turnover,
                  sum(CASE t.kind WHEN 'sale' THEN 1 ELSE -1 END * l.qty)::int AS units
           FROM ledger_transactions t JOIN order_lines l ON l.order_id = t.order_id JOIN products p ON p.id = l.product_id
             JOIN consignors c ON c.id = l.consignor_id, b
           WHERE t.kind IN ('sale', 'sale_reversal') AND t.created_at >= b.s AND t.created_at < b.e
             AND (($3::text[] IS NULL AND c.status <> 'onboarding') OR c.code = ANY($3))
           GROUP BY p.id ORDER BY turnover DESC, p.sku LIMIT 10`,
          [cur.start, cur.end, scope]);
        // Hub turnover: each reserved unit at its line's unit price (before buyer discounts).
        const byHub = await readDb.query<{ code: string; city: string; turnover: number }>(
          `WITH b AS (SELECT ${bounds('$1', '$2')})
           SELECT h.code, h.city, sum(CASE t.kind WHEN 'sale' THEN 1 ELSE -1 END * r.qty * l.unit_price_kop)::bigint AS turnover
           FROM ledger_transactions t JOIN order_lines l ON l.order_id = t.order_id
             JOIN reservations r ON r.order_id = l.order_id AND r.line_no = l.line_no JOIN hubs h ON h.id = r.hub_id
             JOIN consignors c ON c.id = l.consignor_id, b
           WHERE t.kind IN ('sale', 'sale_reversal') AND t.created_at >= b.s AND t.created_at < b.e
             AND (($3::text[] IS NULL AND c.status <> 'onboarding') OR c.code = ANY($3))
           GROUP BY h.id ORDER BY turnover DESC, h.code`,
          [cur.start, cur.end, scope]);

        const rows = byConsignor.rows.map((r) => ({
          code: r.code, name: r.name, turnoverKop: r.cur_sales - r.cur_returns, previousKop: r.prev_sales - r.prev_returns,
          salesKop: r.cur_sales, returnsKop: r.cur_returns, stockUnits: r.stock_units,
        }));
        const total = rows.reduce((s, r) => s + r.turnoverKop, 0);
        const previousTotal = rows.reduce((s, r) => s + r.previousKop, 0);
        const anomalies: SettlementAnalyticsInput['anomalies'] = [];
        for (const r of [...rows].sort((a, b) => a.code.localeCompare(b.code))) {
          const change = changeBp(r.previousKop, r.turnoverKop);
          if (change !== undefined && r.previousKop >= 100_000 && change <= -5_000) anomalies.push({ subject: r.code, kind: 'turnover drop', detail: `${formatUah(r.previousKop)} → ${formatUah(r.turnoverKop)} (${formatBp(change)})` });
          if (change !== undefined && r.previousKop >= 100_000 && change >= 10_000) anomalies.push({ subject: r.code, kind: 'turnover spike', detail: `${formatUah(r.previousKop)} → ${formatUah(r.turnoverKop)} (${formatBp(change)})` });
          if (r.salesKop > 0 && r.returnsKop * 5 >= r.salesKop) anomalies.push({ subject: r.code, kind: 'high returns', detail: `returns ${percent(r.returnsKop, r.salesKop)} of sales` });
          if (r.salesKop === 0 && r.stockUnits > 0) anomalies.push({ subject: r.code, kind: 'stock without sales', detail: `${r.stockUnits} units on hand, no sales` });
        }
        const top = [...rows].sort((a, b) => b.turnoverKop - a.turnoverKop || a.code.localeCompare(b.code)).slice(0, 10);
        const input: SettlementAnalyticsInput = {
          period: request.period,
          previousPeriod: prev,
          totalTurnover: formatUah(total),
          previousTurnover: formatUah(previousTotal),
          change: formatBp(changeBp(previousTotal, total)),
          topConsignors: top.map((r) => ({ code: r.code, name: r.name, turnover: formatUah(r.turnoverKop), change: formatBp(changeBp(r.previousKop, r.turnoverKop)) })),
          topProducts: byProduct.rows.map((p) => ({ sku: p.sku, name: p.name, turnover: formatUah(p.turnover) })),
          hubs: byHub.rows.map((h) => ({ code: h.code, city: h.city, turnover: formatUah(h.turnover) })),
          // The model gets the first anomalies only; the report keeps all of them.
          anomalies: anomalies.slice(0, 20),
          sources: ['ledger_transactions', 'order_lines', 'reservations', 'stock', readDb === db ? 'primary database' : 'read replica'],
        };
        return {
          input,
          report: {
            totalTurnoverKop: total, previousTurnoverKop: previousTotal, consignors: rows.length,
            topConsignors: top, topProducts: byProduct.rows, hubs: byHub.rows, anomalies, sources: input.sources,
          },
        };
      });
    },

    /**
     * Finance: one consignor's statement, act, fee transaction and proposed payout, in one database
     * transaction. Written once per (period, consignor): a re-run finds the statement and writes nothing.
     */
    async settlementComputeStatement(request: { period: string; consignorCode: string; workflowId: string }): Promise<ConsignorStatement> {
      return step('finance', 'finance', () => inTransaction(db, async (client) => {
        requirePeriod(request.period);
        const { period } = request;
        // The consignor row lock serialises every settlement of this consignor (a re-run racing an old child).
        const c = await client.query<{ id: number; code: string; name: string; legal_name: string; edrpou: string; iban: string; commission_bp: number }>(
          'SELECT id, code, name, legal_name, edrpou, iban, commission_bp FROM consignors WHERE code = $1 FOR UPDATE', [request.consignorCode]);
        const consignor = c.rows[0];
        if (!consignor) throw nonRetryable(FailureType.UnknownConsignor, `unknown consignor ${request.consignorCode}`);

        const existing = await readStatement(client, period, consignor.id);
        if (existing) {
          return {
            consignor: { code: consignor.code, name: consignor.name },
            figures: figuresOf(existing),
            payoutStatus: existing.payout_status,
            reused: true,
          };
        }

        const later = await client.query<{ period: string }>(
          'SELECT period FROM settlement_statements WHERE consignor_id = $1 AND period > $2 ORDER BY period LIMIT 1', [consignor.id, period]);
        if (later.rows[0]) throw nonRetryable(FailureType.SettlementBlocked, `${consignor.code} is already settled for the later period ${later.rows[0].period}; periods are settled in order`);
        const prev = await client.query<{ period: string; carried_over_kop: number | null; status: PayoutStatus }>(
          `SELECT s.period, s.carried_over_kop, p.status FROM settlement_statements s JOIN settlement_payouts p ON p.statement_id = s.id
           WHERE s.consignor_id = $1 AND s.period < $2 ORDER BY s.period DESC LIMIT 1`, [consignor.id, period]);
        const { start, end } = periodDates(period);
        let openingKop: number;
        const prevRow = prev.rows[0];
        if (prevRow) {
          if (prevRow.period !== previousPeriod(period)) {
            throw nonRetryable(FailureType.SettlementBlocked, `${consignor.code}: settle ${previousPeriod(period)} first (last settled period is ${prevRow.period})`);
          }
          if (prevRow.status === 'proposed' || prevRow.carried_over_kop === null) {
            throw nonRetryable(FailureType.SettlementBlocked, `${consignor.code}: the payout for ${prevRow.period} is still awaiting a decision`);
          }
          openingKop = prevRow.carried_over_kop;
        } else {
          // The first statement opens with everything the ledger owed the consignor before the period.
          const opening = await client.query<{ owed: number }>(
            `WITH b AS (SELECT ${bounds('$2', '$3')})
             SELECT coalesce(-sum(p.amount_kop), 0)::bigint AS owed FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.txn_id, b
             WHERE p.account = 'consignor_payable' AND p.consignor_id = $1 AND t.created_at < b.s`, [consignor.id, start, end]);
          openingKop = opening.rows[0]?.owed ?? 0;
        }

        const sales = await client.query<{ sales_gross: number; sales_payable: number; returns_gross: number; returns_payable: number }>(
          `WITH b AS (SELECT ${bounds('$2', '$3')}), ${CONSIGNOR_TXNS},
                goods AS (SELECT l.order_id, sum(l.unit_price_kop * l.qty - l.discount_kop) AS gross FROM order_lines l
                          WHERE l.consignor_id = $1 AND l.order_id IN (SELECT order_id FROM txn) GROUP BY l.order_id)
           SELECT coalesce(sum(coalesce(g.gross, txn.payable)) FILTER (WHERE txn.kind = 'sale'), 0)::bigint AS sales_gross,
                  coalesce(sum(txn.payable) FILTER (WHERE txn.kind = 'sale'), 0)::bigint AS sales_payable,
                  coalesce(sum(coalesce(g.gross, -txn.payable)) FILTER (WHERE txn.kind = 'sale_reversal'), 0)::bigint AS returns_gross,
                  coalesce(-sum(txn.payable) FILTER (WHERE txn.kind = 'sale_reversal'), 0)::bigint AS returns_payable
           FROM txn LEFT JOIN goods g ON g.order_id = txn.order_id`, [consignor.id, start, end]);
        const adjustments = await client.query<{ amount: number }>(
          `WITH b AS (SELECT ${bounds('$2', '$3')})
           SELECT coalesce(-sum(p.amount_kop), 0)::bigint AS amount FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.txn_id, b
           WHERE t.kind = 'adjustment' AND p.account = 'consignor_payable' AND p.consignor_id = $1 AND t.created_at >= b.s AND t.created_at < b.e`,
          [consignor.id, start, end]);
        // Unit-days on hand: each movement before the period's end counts from its (Kyiv) day, or the period's start, to the end.
        const storage = await client.query<{ storage: StorageClass; unit_days: number }>(
          `SELECT pr.storage, coalesce(sum(${SIGN_SQL} * m.qty * ($3::date - greatest((m.created_at AT TIME ZONE ${KYIV})::date, $2::date))), 0)::bigint AS unit_days
           FROM stock_movements m JOIN batches ba ON ba.id = m.batch_id JOIN products pr ON pr.id = ba.product_id
           WHERE ba.consignor_id = $1 AND (m.created_at AT TIME ZONE ${KYIV})::date < $3::date
           GROUP BY pr.storage`, [consignor.id, start, end]);
        const unitDays: Record<StorageClass, number> = { ambient: 0, chilled: 0, frozen: 0 };
        for (const row of storage.rows) unitDays[row.storage] = Math.max(0, row.unit_days);
        const lineRows = await client.query<SettlementActLine & { total: number }>(
          `WITH b AS (SELECT ${bounds('$2', '$3')}), ${CONSIGNOR_TXNS}
           SELECT p.sku, p.name,
                  coalesce(sum(l.qty) FILTER (WHERE txn.kind = 'sale'), 0)::int AS "soldQty",
                  coalesce(sum(l.unit_price_kop * l.qty - l.discount_kop) FILTER (WHERE txn.kind = 'sale'), 0)::bigint AS "salesKop",
                  coalesce(sum(l.qty) FILTER (WHERE txn.kind = 'sale_reversal'), 0)::int AS "returnedQty",
                  coalesce(sum(l.unit_price_kop * l.qty - l.discount_kop) FILTER (WHERE txn.kind = 'sale_reversal'), 0)::bigint AS "returnsKop",
                  (count(*) OVER ())::int AS total
           FROM txn JOIN order_lines l ON l.order_id = txn.order_id AND l.consignor_id = $1 JOIN products p ON p.id = l.product_id
           GROUP BY p.id ORDER BY "salesKop" DESC, p.sku LIMIT ${ACT_MAX_LINES}`, [consignor.id, start, end]);
        const s = sales.rows[0]!;
        const figures = computeSettlement({
          openingKop,
          salesGrossKop: s.sales_gross,
          salesPayableKop: s.sales_payable,
          returnsGrossKop: s.returns_gross,
          returnsPayableKop: s.returns_payable,
          adjustmentsKop: adjustments.rows[0]?.amount ?? 0,
          unitDays,
        });
        const problems = settlementInvariantViolations(figures);
        if (problems.length) throw new Error(`settlement invariants violated for ${consignor.code}: ${problems.join('; ')}`);

        let feeTxnId: number | null = null;
        if (figures.feesKop > 0) {
          const key = settlementLedgerKey(period, consignor.code, 'fees');
          const txn = await client.query<{ id: number }>(
            `INSERT INTO ledger_transactions (idempotency_key, kind, description) VALUES ($1, 'fee', $2)
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
            [key, `Fees of ${consignor.code} for ${period}: logistics ${formatUah(figures.logisticsFeeKop)}, storage ${formatUah(figures.storageFeeKop)}`]);
          feeTxnId = txn.rows[0]?.id ?? null;
          if (feeTxnId !== null) {
            await client.query(
              `INSERT INTO ledger_postings (txn_id, account, consignor_id, amount_kop) VALUES ($1, 'consignor_payable', $2, $3), ($1, 'fees_revenue', NULL, $4)`,
              [feeTxnId, consignor.id, figures.feesKop, -figures.feesKop]);
          } else {
            feeTxnId = (await client.query<{ id: number }>('SELECT id FROM ledger_transactions WHERE idempotency_key = $1', [key])).rows[0]!.id;
          }
        }

        const lines = lineRows.rows.map(({ total: _total, ...line }) => line);
        const issued = await client.query<{ today: string }>(`SELECT to_char(now() AT TIME ZONE ${KYIV}, 'YYYY-MM-DD') AS today`);
        const act = {
          period,
          consignor: { code: consignor.code, name: consignor.name, legalName: consignor.legal_name, edrpou: consignor.edrpou, iban: consignor.iban, commissionBp: consignor.commission_bp },
          figures, unitDays, lines,
          moreLines: Math.max(0, (lineRows.rows[0]?.total ?? 0) - lines.length),
          issuedOn: issued.rows[0]!.today,
        };
        const nothingToPay = figures.payoutKop === 0;
        const statement = await client.query<{ id: number }>(
          `INSERT INTO settlement_statements (period, consignor_id, workflow_id, opening_kop, sales_kop, returns_kop, commission_kop,
             logistics_fee_kop, storage_fee_kop, fees_kop, adjustments_kop, net_kop, closing_kop, payout_kop, carried_over_kop,
             unit_days, lines, fee_txn_id, act_markdown, act_html)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20) RETURNING id`,
          [period, consignor.id, request.workflowId, figures.openingKop, figures.salesKop, figures.returnsKop, figures.commissionKop,
            figures.logisticsFeeKop, figures.storageFeeKop, figures.feesKop, figures.adjustmentsKop, figures.netKop, figures.closingKop,
            figures.payoutKop, nothingToPay ? carriedOverKop(figures, false) : null, JSON.stringify(unitDays), JSON.stringify(lines), feeTxnId,
            renderActMarkdown(act), renderActHtml(act)]);
        const payoutStatus: PayoutStatus = nothingToPay ? 'nothing_to_pay' : 'proposed';
        await client.query(
          `INSERT INTO settlement_payouts (period, consignor_id, statement_id, amount_kop, status, decided_at)
           VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 'nothing_to_pay' THEN now() END)`,
          [period, consignor.id, statement.rows[0]!.id, figures.payoutKop, payoutStatus]);
        return {
          consignor: { code: consignor.code, name: consignor.name },
          figures,
          payoutStatus,
          reused: false,
          recommendationsInput: await vendorSuccessFacts(client, period, consignor, figures, lines, unitDays),
        };
      }));
    },

    /** Vendor Success: stores the consignor's recommendations once (a re-run keeps the first). */
    async settlementRecordRecommendations(request: { period: string; consignorCode: string; recommendations: SettlementRecommendationsOutput; usedFallback: boolean }): Promise<void> {
      await step('vendor_success', 'vendor_success', async () => {
        await db.query(
          `UPDATE settlement_statements SET recommendations = $3, recommendations_fallback = $4
           WHERE period = $1 AND consignor_id = (SELECT id FROM consignors WHERE code = $2) AND recommendations IS NULL`,
          [request.period, request.consignorCode, JSON.stringify(request.recommendations), request.usedFallback]);
      });
    },

    /**
     * Compliance: rules over the append-only logs (stock movements, ledger, price changes, balance
     * adjustments). Findings are keyed by (period, rule, subject), so a re-run adds nothing.
     */
    async settlementComplianceScan(request: { period: string; consignors?: string[] }): Promise<SettlementComplianceInput> {
      return step('compliance', 'compliance', async () => {
        const { start, end } = periodDates(request.period);
        const scope = request.consignors ?? null;
        const scopeSql = (alias: string) => `(($3::text[] IS NULL AND ${alias}.status <> 'onboarding') OR ${alias}.code = ANY($3))`;
        const findings: { consignorId: number | null; rule: string; severity: Severity; subject: string; detail: string; facts: Record<string, unknown> }[] = [];

        const writeOffs = await readDb.query<{ id: number; consignor_id: number; code: string; sku: string; hub: string; qty: number; retail_kop: number; reason: string | null; at: string }>(
          `WITH b AS (SELECT ${bounds('$1', '$2')})
           SELECT m.id, c.id AS consignor_id, c.code, p.sku, h.code AS hub, m.qty, (m.qty * p.price_kop)::bigint AS retail_kop, m.reason,
                  to_char(m.created_at AT TIME ZONE ${KYIV}, 'YYYY-MM-DD') AS at
           FROM stock_movements m JOIN batches ba ON ba.id = m.batch_id JOIN products p ON p.id = ba.product_id
             JOIN consignors c ON c.id = ba.consignor_id JOIN hubs h ON h.id = m.hub_id, b
           WHERE m.kind = 'write_off' AND m.created_at >= b.s AND m.created_at < b.e AND ${scopeSql('c')}
           ORDER BY m.id`, [start, end, scope]);
        for (const w of writeOffs.rows) {
          const severity = writeOffSeverity(w.qty, w.retail_kop);
          if (!severity) continue;
          findings.push({
            consignorId: w.consignor_id, rule: 'large_write_off', severity, subject: `stock_movement:${w.id}`,
            detail: `${w.at}: write-off of ${w.qty} units of ${w.sku} at ${w.hub} (retail value ${formatUah(w.retail_kop)}), recorded reason: ${w.reason ?? 'none'}`,
            facts: { qty: w.qty, retailKop: w.retail_kop, sku: w.sku, hub: w.hub, consignor: w.code },
          });
        }

        const returns = await readDb.query<{ consignor_id: number; code: string; sales: number; returns: number; reversals: number }>(
          `WITH b AS (SELECT ${bounds('$1', '$2')})
           SELECT c.id AS consignor_id, c.code,
                  coalesce(sum(l.unit_price_kop * l.qty - l.discount_kop) FILTER (WHERE t.kind = 'sale'), 0)::bigint AS sales,
                  coalesce(sum(l.unit_price_kop * l.qty - l.discount_kop) FILTER (WHERE t.kind = 'sale_reversal'), 0)::bigint AS returns,
                  count(DISTINCT t.id) FILTER (WHERE t.kind = 'sale_reversal')::int AS reversals
           FROM ledger_transactions t JOIN order_lines l ON l.order_id = t.order_id JOIN consignors c ON c.id = l.consignor_id, b
           WHERE t.kind IN ('sale', 'sale_reversal') AND t.created_at >= b.s AND t.created_at < b.e AND ${scopeSql('c')}
           GROUP BY c.id, c.code ORDER BY c.code`, [start, end, scope]);
        for (const r of returns.rows) {
          const severity = returnRateSeverity(r.sales, r.returns);
          if (!severity) continue;
          findings.push({
            consignorId: r.consignor_id, rule: 'atypical_returns', severity, subject: `consignor:${r.code}`,
            detail: `${r.code}: returns ${formatUah(r.returns)} against sales ${formatUah(r.sales)} (${percent(r.returns, r.sales)}, ${r.reversals} reversal(s))`,
            facts: { salesKop: r.sales, returnsKop: r.returns, reversals: r.reversals },
          });
        }

        const prices = await readDb.query<{ id: number; consignor_id: number; sku: string; old_price_kop: number; new_price_kop: number; actor: string; reason: string | null; at: string }>(
          `WITH b AS (SELECT ${bounds('$1', '$2')})
           SELECT pc.id, c.id AS consignor_id, p.sku, pc.old_price_kop, pc.new_price_kop, pc.actor, pc.reason,
                  to_char(pc.created_at AT TIME ZONE ${KYIV}, 'YYYY-MM-DD') AS at
           FROM price_changes pc JOIN products p ON p.id = pc.product_id JOIN consignors c ON c.id = p.consignor_id, b
           WHERE pc.created_at >= b.s AND pc.created_at < b.e AND ${scopeSql('c')} ORDER BY pc.id`, [start, end, scope]);
        for (const p of prices.rows) {
          const severity = priceChangeSeverity(p.old_price_kop, p.new_price_kop);
          if (!severity) continue;
          findings.push({
            consignorId: p.consignor_id, rule: 'price_change', severity, subject: `price_change:${p.id}`,
            detail: `${p.at}: price of ${p.sku} changed ${formatUah(p.old_price_kop)} → ${formatUah(p.new_price_kop)} (${formatBp(changeBp(p.old_price_kop, p.new_price_kop))}) by ${p.actor}; reason: ${p.reason ?? 'none recorded'}`,
            facts: { oldKop: p.old_price_kop, newKop: p.new_price_kop, actor: p.actor },
          });
        }

        const adjustments = await readDb.query<{ txn_id: number; consignor_id: number; code: string; amount: number; actor: string | null; reason: string | null; at: string }>(
          `WITH b AS (SELECT ${bounds('$1', '$2')})
           SELECT t.id AS txn_id, c.id AS consignor_id, c.code, -sum(p.amount_kop)::bigint AS amount, min(ba.actor) AS actor, min(ba.reason) AS reason,
                  to_char(t.created_at AT TIME ZONE ${KYIV}, 'YYYY-MM-DD') AS at
           FROM ledger_transactions t JOIN ledger_postings p ON p.txn_id = t.id AND p.account = 'consignor_payable'
             JOIN consignors c ON c.id = p.consignor_id LEFT JOIN balance_adjustments ba ON ba.ledger_txn_id = t.id, b
           WHERE t.kind = 'adjustment' AND t.created_at >= b.s AND t.created_at < b.e AND ${scopeSql('c')}
           GROUP BY t.id, c.id, c.code ORDER BY t.id`, [start, end, scope]);
        for (const a of adjustments.rows) {
          const recorded = a.actor !== null;
          findings.push({
            consignorId: a.consignor_id, rule: 'balance_correction', severity: adjustmentSeverity(a.amount, recorded), subject: `ledger_txn:${a.txn_id}`,
            detail: recorded
              ? `${a.at}: manual correction of ${a.code}'s balance by ${formatUah(a.amount)} by ${a.actor}; reason: ${a.reason}`
              : `${a.at}: correction of ${a.code}'s balance by ${formatUah(a.amount)} has no recorded author or reason`,
            facts: { amountKop: a.amount, recorded },
          });
        }

        if (findings.length > 0) {
          await db.query(
            `INSERT INTO compliance_findings (period, consignor_id, rule, severity, subject, detail, facts)
             SELECT $1, f."consignorId", f.rule, f.severity, f.subject, f.detail, f.facts
             FROM jsonb_to_recordset($2::jsonb) AS f("consignorId" bigint, rule text, severity text, subject text, detail text, facts jsonb)
             ON CONFLICT (period, rule, subject) DO NOTHING`,
            [request.period, JSON.stringify(findings)]);
        }
        const sorted = [...findings].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.subject.localeCompare(b.subject));
        const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
        return {
          period: request.period,
          findings: sorted.slice(0, NARRATIVE_MAX_FINDINGS).map((f) => ({ rule: f.rule, severity: f.severity, subject: f.subject, detail: f.detail })),
          totalFindings: findings.length,
          counts: { critical: count('critical'), warning: count('warning'), info: count('info') },
        };
      });
    },

    /** Proposed payouts still waiting for a decision, and how the period's payouts stand. */
    async settlementPendingPayouts(request: { period: string; consignors?: string[] }): Promise<PendingPayouts> {
      const r = await db.query<{ code: string; amount_kop: number; status: PayoutStatus; decision: string | null }>(
        `SELECT c.code, p.amount_kop, p.status, d.decision FROM settlement_payouts p JOIN consignors c ON c.id = p.consignor_id
           LEFT JOIN settlement_decisions d ON d.payout_id = p.id
         WHERE p.period = $1 AND ($2::text[] IS NULL OR c.code = ANY($2)) ORDER BY c.code`, [request.period, request.consignors ?? null]);
      const counts: PayoutCounts = { proposed: 0, approved: 0, autoApproved: 0, rejected: 0, expired: 0, nothingToPay: 0 };
      for (const row of r.rows) {
        if (row.status === 'approved') counts[row.decision === 'auto_approve' ? 'autoApproved' : 'approved'] += 1;
        else if (row.status === 'nothing_to_pay') counts.nothingToPay += 1;
        else counts[row.status] += 1;
      }
      return { pending: r.rows.filter((row) => row.status === 'proposed').map((row) => ({ consignorCode: row.code, payoutKop: row.amount_kop })), counts };
    },

    /**
     * Finance: records decisions on proposed payouts. An approval posts the balanced payout
     * transaction (consignor_payable debit, cash credit) under key settlement-<period>-<code>:payout;
     * every decision is written with who, when and why. A payout already decided is reported as it is.
     */
    async settlementDecidePayouts(request: {
      period: string; consignors: string[]; decision: 'approve' | 'auto_approve' | 'reject' | 'expire';
      actor: string; reason?: string; workflowId: string; autoApproveMaxKop?: number;
    }): Promise<PayoutDecisionOutcome[]> {
      return step('finance', 'finance', () => inTransaction(db, async (client) => {
        if (request.decision === 'reject' && (request.reason ?? '').trim().length < 3) throw nonRetryable(FailureType.InvalidInput, 'a rejection needs a reason');
        const rows = await client.query<{ payout_id: number; statement_id: number; consignor_id: number; code: string; amount_kop: number; status: PayoutStatus; closing_kop: number; payout_kop: number }>(
          `SELECT p.id AS payout_id, p.statement_id, p.consignor_id, c.code, p.amount_kop, p.status, s.closing_kop, s.payout_kop
           FROM settlement_payouts p JOIN consignors c ON c.id = p.consignor_id JOIN settlement_statements s ON s.id = p.statement_id
           WHERE p.period = $1 AND c.code = ANY($2) ORDER BY p.consignor_id FOR UPDATE OF p, s`, [request.period, request.consignors]);
        const outcomes: PayoutDecisionOutcome[] = [];
        for (const row of rows.rows) {
          if (row.status !== 'proposed') {
            outcomes.push({ consignorCode: row.code, status: row.status, payoutKop: row.amount_kop });
            continue;
          }
          if (request.decision === 'auto_approve' && !isAutoApprovable(row.amount_kop, request.autoApproveMaxKop ?? 0)) continue;
          const approve = request.decision === 'approve' || request.decision === 'auto_approve';
          let ledgerTxnId: number | undefined;
          if (approve) {
            const key = settlementLedgerKey(request.period, row.code, 'payout');
            const txn = await client.query<{ id: number }>(
              `INSERT INTO ledger_transactions (idempotency_key, kind, description) VALUES ($1, 'payout', $2)
               ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
              [key, `Payout to ${row.code} for ${request.period} (${request.decision === 'auto_approve' ? 'auto-approved' : `approved by ${request.actor}`})`]);
            ledgerTxnId = txn.rows[0]?.id;
            if (ledgerTxnId === undefined) {
              ledgerTxnId = (await client.query<{ id: number }>('SELECT id FROM ledger_transactions WHERE idempotency_key = $1', [key])).rows[0]!.id;
            } else {
              await client.query(
                `INSERT INTO ledger_postings (txn_id, account, consignor_id, amount_kop) VALUES ($1, 'consignor_payable', $2, $3), ($1, 'cash', NULL, $4)`,
                [ledgerTxnId, row.consignor_id, row.amount_kop, -row.amount_kop]);
            }
          }
          const status: PayoutStatus = approve ? 'approved' : request.decision === 'reject' ? 'rejected' : 'expired';
          await client.query('UPDATE settlement_payouts SET status = $2, ledger_txn_id = $3, decided_at = now() WHERE id = $1',
            [row.payout_id, status, ledgerTxnId ?? null]);
          await client.query('UPDATE settlement_statements SET carried_over_kop = $2 WHERE id = $1',
            [row.statement_id, carriedOverKop({ closingKop: row.closing_kop, payoutKop: row.payout_kop }, approve)]);
          await client.query(
            `INSERT INTO settlement_decisions (payout_id, period, consignor_id, decision, actor, reason, amount_kop, workflow_id)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (payout_id) DO NOTHING`,
            [row.payout_id, request.period, row.consignor_id, request.decision, request.actor, request.reason ?? null, row.amount_kop, request.workflowId]);
          outcomes.push({ consignorCode: row.code, status, payoutKop: row.amount_kop, ...(ledgerTxnId !== undefined ? { ledgerTxnId } : {}) });
        }
        return outcomes;
      }));
    },
  };
}

export type SettlementActivities = ReturnType<typeof createSettlementActivities>;

