import { ApplicationFailure } from '@temporalio/activity';
import { campaignDiscount } from '../campaigns/rules';
import { inTransaction, type Db } from '../db/pool';
import {
  BATCH_WATCH_CREW,
  QUALITY_INCIDENT_CREW,
  type AlertToRecord,
  type ExpiryCandidate,
  type MarkdownOption,
  type QualityIncidentInput,
  type RecordedIncident,
  type StatusTransition,
  type TransferOption,
} from '../quality/contract';
import { bandFor, bestTransfer, DEMAND_WINDOW_DAYS, expiryBands, incidentActions, incidentSeverity, markdownBpFor, MAX_BAND_DAYS } from '../quality/rules';
import { QualityIncidentInputSchema, WatchDateSchema } from '../quality/schema';
import { FailureType } from '../shared/errors';
import { journaledStep } from './journal';

function nonRetryable(type: FailureType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

function checkDate(date: string): void {
  if (!WatchDateSchema.safeParse(date).success) throw nonRetryable(FailureType.InvalidInput, `invalid watch date ${date}: use YYYY-MM-DD`);
}

export interface QualityActivityDeps {
  db: Db;
}

export function createQualityActivities(deps: QualityActivityDeps) {
  const { db } = deps;
  const watchStep = <T>(step: string, agent: string, work: () => Promise<T>): Promise<T> =>
    journaledStep(db, { crew: BATCH_WATCH_CREW, step, agent }, work);

  return {
    /**
     * Batch & Quality: moves every live batch forward by the facts of the day, in one statement —
     * on hand 0 → sold_out; past expiry → expired; something sold (a shipment, a shipped
     * reservation or an invoiced order's reservation) → partly_sold. Each transition is written
     * to the append-only history once: (batch, status) is unique and statuses never go back.
     */
    async qualityAdvanceBatchStatuses(date: string, workflowId: string): Promise<StatusTransition[]> {
      checkDate(date);
      return watchStep('statuses', 'batch_quality', async () => {
        const moved = await db.query<StatusTransition>(
          `WITH facts AS (
             SELECT b.id, b.status,
                    (SELECT sum(s.qty_on_hand) FROM stock s WHERE s.batch_id = b.id) AS on_hand,
                    b.expiry_date < $1::date AS past_expiry,
                    EXISTS (SELECT 1 FROM stock_movements m WHERE m.batch_id = b.id AND m.kind = 'shipment')
                      OR EXISTS (SELECT 1 FROM reservations r JOIN orders o ON o.id = r.order_id
                                 WHERE r.batch_id = b.id AND (r.status = 'shipped' OR (r.status = 'active' AND o.status IN ('invoiced', 'confirmed')))) AS sold
             FROM batches b WHERE b.status IN ('in_stock', 'partly_sold')
           ), target AS (
             SELECT id, status AS from_status,
                    CASE WHEN on_hand = 0 THEN 'sold_out'
                         WHEN past_expiry THEN 'expired'
                         WHEN sold AND status = 'in_stock' THEN 'partly_sold' END AS to_status,
                    CASE WHEN on_hand = 0 THEN 'nothing left on hand in any hub'
                         WHEN past_expiry THEN 'past its expiry date'
                         ELSE 'units sold from the batch' END AS reason
             FROM facts
           ), moved AS (
             UPDATE batches b SET status = t.to_status FROM target t
             WHERE b.id = t.id AND b.status = t.from_status AND t.to_status IS NOT NULL
             RETURNING b.id, b.code, t.from_status, t.to_status, t.reason
           ), history AS (
             INSERT INTO batch_status_history (batch_id, from_status, to_status, watch_date, reason, workflow_id)
             SELECT id, from_status, to_status, $1::date, reason, $2 FROM moved
             ON CONFLICT (batch_id, to_status) DO NOTHING
             RETURNING batch_id
           )
           SELECT code AS "batchCode", from_status AS "from", to_status AS "to" FROM moved ORDER BY code`,
          [date, workflowId]);
        return moved.rows;
      });
    },

    /**
     * Batch & Quality: batches in an expiry band (days ahead per category/storage) or past expiry
     * with units on hand, minus those already alerted for that band (or, once expired, at all) —
     * so a re-run of a day, or the next day within the same band, raises nothing twice.
     */
    async qualityScanExpiry(date: string): Promise<ExpiryCandidate[]> {
      checkDate(date);
      return watchStep('expiry_scan', 'batch_quality', async () => {
        const rows = await db.query<Omit<ExpiryCandidate, 'kind' | 'band' | 'mainHubCode'> & { mainHubCode: string }>(
          `SELECT b.id AS "batchId", b.code AS "batchCode", p.id AS "productId", p.sku, p.name AS "productName", c.code AS category, p.storage,
                  (b.expiry_date - $1::date) AS "daysLeft", to_char(b.expiry_date, 'YYYY-MM-DD') AS "expiryDate",
                  sum(s.qty_on_hand)::int AS "onHand", sum(s.qty_on_hand - s.qty_reserved)::int AS free,
                  (array_agg(s.hub_id ORDER BY s.qty_on_hand - s.qty_reserved DESC, s.hub_id))[1] AS "mainHubId",
                  (array_agg(h.code ORDER BY s.qty_on_hand - s.qty_reserved DESC, s.hub_id))[1] AS "mainHubCode",
                  max(s.qty_on_hand - s.qty_reserved)::int AS "mainHubFree"
           FROM batches b JOIN products p ON p.id = b.product_id JOIN categories c ON c.id = p.category_id
           JOIN stock s ON s.batch_id = b.id JOIN hubs h ON h.id = s.hub_id
           WHERE b.status IN ('in_stock', 'partly_sold', 'expired') AND b.expiry_date <= $1::date + $2::int
           GROUP BY b.id, p.id, c.code HAVING sum(s.qty_on_hand) > 0
           ORDER BY b.expiry_date, b.id`, [date, MAX_BAND_DAYS]);
        const existing = await db.query<{ batch_id: number; kind: string; band_days: number | null; same_day: boolean }>(
          `SELECT batch_id, kind, band_days, watch_date = $2::date AS same_day FROM quality_alerts
           WHERE batch_id = ANY($1) AND kind IN ('expiry_soon', 'expired')`, [rows.rows.map((r) => r.batchId), date]);
        const seen = (batchId: number, test: (a: (typeof existing.rows)[number]) => boolean) =>
          existing.rows.some((a) => a.batch_id === batchId && test(a));
        const candidates: ExpiryCandidate[] = [];
        for (const r of rows.rows) {
          if (r.daysLeft < 0) {
            if (!seen(r.batchId, (a) => a.kind === 'expired')) candidates.push({ ...r, kind: 'expired', band: null });
            continue;
          }
          const band = bandFor(r.daysLeft, expiryBands(r.category, r.storage));
          if (band === undefined || r.free <= 0) continue;
          if (seen(r.batchId, (a) => a.kind === 'expiry_soon' && (a.band_days === band || a.same_day))) continue;
          candidates.push({ ...r, kind: 'expiry_soon', band });
        }
        return candidates;
      });
    },

    /**
     * Warehouse: for batches with time left, a hub whose city ordered more of the category in the
     * last 28 days than the holding hub's (and that has the right temperature zone).
     */
    async warehouseProposeTransfers(date: string, candidates: ExpiryCandidate[]): Promise<TransferOption[]> {
      checkDate(date);
      return watchStep('transfers', 'warehouse', async () => {
        if (candidates.length === 0) return [];
        const demand = await db.query<{ category: string; hub_id: number; units: number }>(
          `SELECT c.code AS category, h.id AS hub_id, sum(l.qty)::int AS units
           FROM order_lines l JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id
           JOIN categories c ON c.id = p.category_id JOIN hubs h ON lower(h.city) = lower(o.delivery_address->>'city')
           WHERE o.status <> 'cancelled' AND o.created_at >= $1::date - $3::int AND o.created_at < $1::date + 1 AND c.code = ANY($2)
           GROUP BY c.code, h.id`, [date, [...new Set(candidates.map((c) => c.category))], DEMAND_WINDOW_DAYS]);
        const hubs = await db.query<{ id: number; code: string; storages: string[] }>(
          `SELECT h.id, h.code, array_agg(DISTINCT z.temperature_zone) AS storages FROM hubs h JOIN hub_zones z ON z.hub_id = h.id GROUP BY h.id ORDER BY h.id`);
        const options: TransferOption[] = [];
        for (const candidate of candidates) {
          const byHub = new Map(demand.rows.filter((d) => d.category === candidate.category).map((d) => [d.hub_id, d.units]));
          const option = bestTransfer(candidate, byHub, hubs.rows);
          if (option) options.push(option);
        }
        return options;
      });
    },

    /** Finance: markdown depth by days left, capped so the marked-down price never falls below cost. */
    async financeProposeMarkdowns(candidates: { batchId: number; productId: number; daysLeft: number }[]): Promise<MarkdownOption[]> {
      return watchStep('markdowns', 'finance', async () => {
        if (candidates.length === 0) return [];
        const prices = await db.query<{ id: number; price_kop: number; cost_kop: number }>(
          'SELECT id, price_kop, cost_kop FROM products WHERE id = ANY($1)', [[...new Set(candidates.map((c) => c.productId))]]);
        const byId = new Map(prices.rows.map((p) => [p.id, p]));
        return candidates.map((c) => {
          const p = byId.get(c.productId)!;
          const { discountBp, promoPriceKop } = campaignDiscount(p.price_kop, p.cost_kop, markdownBpFor(c.daysLeft));
          return { batchId: c.batchId, markdownBp: discountBp, markdownPriceKop: promoPriceKop, regularPriceKop: p.price_kop };
        });
      });
    },

    /** Batch & Quality: stores alerts with their notes; (batch, day, kind) is unique, so a repeat inserts nothing. */
    async qualityRecordAlerts(crew: string, workflowId: string, alerts: AlertToRecord[]): Promise<{ inserted: number }> {
      return journaledStep(db, { crew, step: 'record_alerts', agent: 'batch_quality' }, () => inTransaction(db, async (client) => {
        let inserted = 0;
        for (const a of alerts) {
          const row = await client.query(
            `INSERT INTO quality_alerts (batch_id, watch_date, kind, band_days, severity, days_left, qty, proposal, markdown_bp, markdown_price_kop,
                                         from_hub_id, to_hub_id, incident_id, note, note_source, workflow_id)
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)
             ON CONFLICT (batch_id, watch_date, kind) DO NOTHING RETURNING id`,
            [a.batchId, a.watchDate, a.kind, a.band, a.severity, a.daysLeft, a.qty, a.proposal, a.markdownBp ?? null, a.markdownPriceKop ?? null,
              a.fromHubId ?? null, a.toHubId ?? null, a.incidentId ?? null, a.note.slice(0, 2000), a.noteSource, workflowId]);
          inserted += row.rowCount ?? 0;
        }
        return { inserted };
      }));
    },

    /**
     * Batch & Quality (Customer Care for a buyer's complaint): validates and records an incident;
     * severity is raised to its category's floor and the follow-up actions are decided by code.
     */
    async qualityRecordIncident(raw: QualityIncidentInput, workflowId: string): Promise<RecordedIncident> {
      const agent = raw.kind === 'complaint' ? 'customer_care' : 'batch_quality';
      return journaledStep(db, { crew: QUALITY_INCIDENT_CREW, step: 'record_incident', agent }, () => inTransaction(db, async (client) => {
        const parsed = QualityIncidentInputSchema.safeParse(raw);
        if (!parsed.success) {
          throw nonRetryable(FailureType.InvalidInput, `invalid incident: ${parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`);
        }
        const input = parsed.data;
        let batch: { id: number; code: string; product_id: number; sku: string; expiry: string } | undefined;
        if (input.batchCode) {
          const found = await client.query<NonNullable<typeof batch>>(
            `SELECT b.id, b.code, b.product_id, p.sku, to_char(b.expiry_date, 'YYYY-MM-DD') AS expiry
             FROM batches b JOIN products p ON p.id = b.product_id WHERE b.code = $1`, [input.batchCode]);
          batch = found.rows[0];
          if (!batch) throw nonRetryable(FailureType.UnknownBatch, `unknown batch ${input.batchCode}`);
          if (input.sku && input.sku !== batch.sku) throw nonRetryable(FailureType.InvalidInput, `batch ${batch.code} is of ${batch.sku}, not ${input.sku}`);
        }
        const product = await client.query<{ id: number; name: string }>('SELECT id, name FROM products WHERE sku = $1', [batch?.sku ?? input.sku]);
        const productRow = product.rows[0];
        if (!productRow) throw nonRetryable(FailureType.UnknownProduct, `unknown product ${input.sku ?? ''}`);
        if (input.orderId) {
          const order = await client.query('SELECT 1 FROM orders WHERE id = $1', [input.orderId]);
          if (order.rowCount === 0) throw nonRetryable(FailureType.InvalidInput, `unknown order ${input.orderId}`);
        }
        let buyerId: number | null = null;
        if (input.buyerCode) {
          const buyer = await client.query<{ id: number }>('SELECT id FROM buyers WHERE code = $1', [input.buyerCode]);
          buyerId = buyer.rows[0]?.id ?? null;
          if (buyerId === null) throw nonRetryable(FailureType.UnknownBuyer, `unknown buyer ${input.buyerCode}`);
        }
        const today = await client.query<{ today: string }>(`SELECT to_char(current_date, 'YYYY-MM-DD') AS today`);
        const occurredOn = input.occurredOn ?? today.rows[0]!.today;
        const severity = incidentSeverity(input.category, input.severity);
        const actions = incidentActions(input.kind, severity, batch !== undefined);

        const inserted = await client.query(
          `INSERT INTO quality_incidents (id, workflow_id, kind, category, severity, description, batch_id, product_id, order_id, buyer_id, reported_by, occurred_on, actions)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) ON CONFLICT (id) DO NOTHING`,
          [input.incidentId, workflowId, input.kind, input.category, severity, input.description, batch?.id ?? null, productRow.id,
            input.orderId ?? null, buyerId, input.reportedBy, occurredOn, actions]);
        if (inserted.rowCount === 0) {
          const existing = await client.query<{ workflow_id: string }>('SELECT workflow_id FROM quality_incidents WHERE id = $1', [input.incidentId]);
          if (existing.rows[0]?.workflow_id !== workflowId) throw nonRetryable(FailureType.InvalidInput, `incident id ${input.incidentId} is already used`);
        }
        const stored = await client.query<{ severity: RecordedIncident['severity']; actions: string[]; occurred_on: string }>(
          `SELECT severity, actions, to_char(occurred_on, 'YYYY-MM-DD') AS occurred_on FROM quality_incidents WHERE id = $1`, [input.incidentId]);
        const s = stored.rows[0]!;
        let batchInfo: RecordedIncident['batch'];
        if (batch) {
          const hold = await client.query<{ on_hand: number; hub_code: string | null }>(
            `SELECT coalesce(sum(s.qty_on_hand), 0)::int AS on_hand,
                    (array_agg(h.code ORDER BY s.qty_on_hand DESC, h.id))[1] AS hub_code
             FROM stock s JOIN hubs h ON h.id = s.hub_id WHERE s.batch_id = $1`, [batch.id]);
          const origin = await client.query<{ code: string }>('SELECT h.code FROM batches b JOIN hubs h ON h.id = b.origin_hub_id WHERE b.id = $1', [batch.id]);
          const daysLeft = Math.round((Date.parse(`${batch.expiry}T00:00:00Z`) - Date.parse(`${s.occurred_on}T00:00:00Z`)) / 86_400_000);
          batchInfo = {
            batchId: batch.id, batchCode: batch.code, hubCode: hold.rows[0]?.hub_code ?? origin.rows[0]!.code,
            onHand: hold.rows[0]?.on_hand ?? 0, daysLeft,
          };
        }
        return {
          incidentId: input.incidentId, kind: input.kind, category: input.category, severity: s.severity, actions: s.actions,
          occurredOn: s.occurred_on, productName: productRow.name, ...(batchInfo ? { batch: batchInfo } : {}),
        };
      }));
    },
  };
}

export type QualityActivities = ReturnType<typeof createQualityActivities>;
