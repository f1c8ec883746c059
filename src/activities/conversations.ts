import { ApplicationFailure } from '@temporalio/activity';
import { inTransaction, type Db } from '../db/pool';
import type { RedisClient } from '../db/redis';
import {
  CONVERSATION_CREW,
  MEMORY_TURNS,
  type AnsweringAgent,
  type Intent,
  type OrderSource,
  type PersonRole,
} from '../conversations/contract';
import { productWordStems, referenceTokens } from '../conversations/rules';
import { FailureType } from '../shared/errors';
import { journaledStep } from './journal';
import { MIN_DAYS_LEFT_TO_SELL } from './orders';

export interface PersonProfile {
  role: PersonRole;
  personId: string;
  dbId: number;
  name: string;
  /** Buyer tier (retail, b2b, vip); absent for consignors. */
  tier?: string;
}

export interface MemoryTurn {
  messageId: string;
  role: 'user' | 'assistant';
  text: string;
  intent?: Intent;
}

/** What the conversation extracted so far, so a follow-up ("а коли доставка?") can refer back to it. */
export interface MemoryContext {
  orderId?: string;
  sku?: string;
  lastIntent?: Intent;
}

export interface MemorySnapshot {
  /** False when Redis could not be read: the answer goes on without memory. */
  available: boolean;
  turns: MemoryTurn[];
  context: MemoryContext;
}

export interface ExchangeToRemember {
  messageId: string;
  question: string;
  answer: string;
  intent: Intent;
  orderId?: string;
  sku?: string;
}

export interface OrderDetail {
  id: string;
  status: string;
  createdAt: string;
  totalKop: number | null;
  paymentDueDate: string | null;
  lines: { sku: string; name: string; qty: number }[];
  shipments: { carrier: string; service: string; trackingNumber: string; status: string; etaDate: string; hubCity: string }[];
}

export interface OrderFacts {
  orderSource: OrderSource;
  order?: OrderDetail;
  recentOrders: { id: string; status: string; createdAt: string }[];
}

export interface BalanceFacts {
  /** What GREENFOOD owes the consignor now: minus the sum of its consignor_payable postings. */
  balanceKop: number;
  accruedKop: number;
  reversedKop: number;
  paidOutKop: number;
  otherKop: number;
  salesCount: number;
  lastSaleDate: string | null;
  lastPayoutDate: string | null;
}

export interface ProductDetail {
  sku: string;
  name: string;
  category: string;
  consignor: string;
  priceKop: number;
  weightG: number;
  volumeMl: number;
  ingredients: string[];
  allergens: string[];
  shelfLifeDays: number;
  storage: string;
  available: number;
}

export interface ProductFacts {
  matchedBy: 'sku' | 'name' | 'memory' | 'none';
  products: ProductDetail[];
}

export interface ComplaintRecord {
  complaintId: number;
  ref: string;
  created: boolean;
}

export interface ExchangeRecord {
  sessionId: string;
  messageId: string;
  turn: number;
  question: string;
  answer: string;
  intent: Intent;
  agent: AnsweringAgent;
  orderId?: string;
  facts: string[];
  usedFallback: boolean;
}

export interface ConversationActivityDeps {
  db: Db;
  redis: RedisClient;
  readDb: Db;
}

const REDIS_TIMEOUT_MS = 1000;

export function memoryKey(sessionId: string): string {
  return `greenfood:conversation:memory:${sessionId}`;
}

export function complaintRef(id: number): string {
  return `CMP-${String(id).padStart(6, '0')}`;
}

/** Redis is fast state only: a slow or dead Redis must cost an answer its memory, never the answer. */
async function withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: Redis did not answer in ${REDIS_TIMEOUT_MS} ms`)), REDIS_TIMEOUT_MS); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function parseMemory(raw: string | null): Omit<MemorySnapshot, 'available'> {
  if (!raw) return { turns: [], context: {} };
  try {
    const parsed = JSON.parse(raw) as Partial<MemorySnapshot>;
    return { turns: Array.isArray(parsed.turns) ? parsed.turns : [], context: parsed.context ?? {} };
  } catch {
    // A corrupt entry is forgotten rather than trusted.
    return { turns: [], context: {} };
  }
}

function nonRetryable(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

export function createConversationActivities(deps: ConversationActivityDeps) {
  const { db, redis, readDb } = deps;
  const step = <T>(name: string, agent: string, work: () => Promise<T>): Promise<T> =>
    journaledStep(db, { crew: CONVERSATION_CREW, step: name, agent }, work);

  /** The person's orders as seen by their role: a buyer's own orders, or orders containing a consignor's goods. */
  const ownOrders = (role: PersonRole) =>
    role === 'buyer' ? 'o.buyer_id = $1' : 'EXISTS (SELECT 1 FROM order_lines ol WHERE ol.order_id = o.id AND ol.consignor_id = $1)';

  return {
    /** Assistant: who is asking. Unknown people get a typed failure; the session row is (re)opened. */
    async conversationIdentifyPerson(role: PersonRole, personId: string, sessionId: string): Promise<PersonProfile> {
      return step('assistant', 'assistant', async () => {
        let profile: PersonProfile;
        if (role === 'buyer') {
          const r = await db.query<{ id: number; name: string; tier: string }>('SELECT id, name, tier FROM buyers WHERE code = $1', [personId]);
          const row = r.rows[0];
          if (!row) throw nonRetryable(FailureType.UnknownBuyer, `unknown buyer ${personId}`);
          profile = { role, personId, dbId: row.id, name: row.name, tier: row.tier };
        } else {
          const r = await db.query<{ id: number; name: string }>('SELECT id, name FROM consignors WHERE code = $1', [personId]);
          const row = r.rows[0];
          if (!row) throw nonRetryable(FailureType.UnknownConsignor, `unknown consignor ${personId}`);
          profile = { role, personId, dbId: row.id, name: row.name };
        }
        await db.query(
          `INSERT INTO conversation_sessions (id, role, person_code, buyer_id, consignor_id) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (id) DO UPDATE SET status = 'active', close_reason = NULL, closed_at = NULL`,
          [sessionId, role, personId, role === 'buyer' ? profile.dbId : null, role === 'consignor' ? profile.dbId : null]);
        return profile;
      });
    },

    /** Short-term memory of the session; empty when expired, unavailable (not an error) when Redis is down. */
    async conversationRecallMemory(sessionId: string): Promise<MemorySnapshot> {
      return step('memory', 'assistant', async () => {
        try {
          const raw = await withDeadline(redis.get(memoryKey(sessionId)), 'recall');
          return { available: true, ...parseMemory(raw) };
        } catch (err) {
          console.warn(`conversation memory unavailable for ${sessionId}: ${(err as Error).message}`);
          return { available: false, turns: [], context: {} };
        }
      });
    },

    /**
     * Appends one exchange to memory and restarts its TTL. Runs after the answer, one message at a
     * time per session (the workflow serialises them), and skips an exchange it already holds, so a
     * retry appends nothing twice. Returns false when Redis is down.
     */
    async conversationRemember(sessionId: string, exchange: ExchangeToRemember, ttlSeconds: number): Promise<boolean> {
      return step('memory', 'assistant', async () => {
        try {
          const key = memoryKey(sessionId);
          const memory = parseMemory(await withDeadline(redis.get(key), 'remember'));
          if (!memory.turns.some((t) => t.messageId === exchange.messageId)) {
            memory.turns.push(
              { messageId: exchange.messageId, role: 'user', text: exchange.question.slice(0, 300), intent: exchange.intent },
              { messageId: exchange.messageId, role: 'assistant', text: exchange.answer.slice(0, 300), intent: exchange.intent },
            );
            memory.turns = memory.turns.slice(-MEMORY_TURNS);
            memory.context = {
              ...memory.context,
              lastIntent: exchange.intent,
              ...(exchange.orderId ? { orderId: exchange.orderId } : {}),
              ...(exchange.sku ? { sku: exchange.sku } : {}),
            };
          }
          await withDeadline(redis.set(key, JSON.stringify(memory), 'EX', Math.max(1, Math.round(ttlSeconds))), 'remember');
          return true;
        } catch (err) {
          console.warn(`conversation memory not stored for ${sessionId}: ${(err as Error).message}`);
          return false;
        }
      });
    },

    /**
     * Customer Care: the order a message is about (named in it, else remembered, else the latest) with
     * its lines and shipments, read from Postgres. Only the person's own orders are ever found.
     */
    async conversationCareOrderFacts(person: PersonProfile, text: string, rememberedOrderId: string | undefined): Promise<OrderFacts> {
      return step('customer_care', 'customer_care', async () => {
        const own = ownOrders(person.role);
        const tokens = referenceTokens(text);
        let orderId: string | undefined;
        let orderSource: OrderSource = 'none';
        if (tokens.length) {
          const named = await db.query<{ id: string }>(
            `SELECT o.id FROM orders o WHERE ${own}
               AND (o.id = ANY($2) OR o.id IN (SELECT s.order_id FROM shipments s WHERE s.tracking_number = ANY($2)))
             ORDER BY o.created_at DESC, o.id LIMIT 1`, [person.dbId, tokens]);
          orderId = named.rows[0]?.id;
          if (orderId) orderSource = 'message';
        }
        if (!orderId && rememberedOrderId) {
          const remembered = await db.query<{ id: string }>(`SELECT o.id FROM orders o WHERE ${own} AND o.id = $2`, [person.dbId, rememberedOrderId]);
          orderId = remembered.rows[0]?.id;
          if (orderId) orderSource = 'memory';
        }
        const recent = await db.query<{ id: string; status: string; created: string }>(
          `SELECT o.id, o.status, to_char(o.created_at, 'YYYY-MM-DD') AS created FROM orders o WHERE ${own}
           ORDER BY o.created_at DESC, o.id DESC LIMIT 3`, [person.dbId]);
        if (!orderId && recent.rows[0]) {
          orderId = recent.rows[0].id;
          orderSource = 'latest';
        }
        const recentOrders = recent.rows.map((r) => ({ id: r.id, status: r.status, createdAt: r.created }));
        if (!orderId) return { orderSource, recentOrders };

        const head = await db.query<{ id: string; status: string; created: string; total_kop: number | null; due: string | null }>(
          `SELECT id, status, to_char(created_at, 'YYYY-MM-DD') AS created, total_kop, to_char(payment_due_date, 'YYYY-MM-DD') AS due
           FROM orders WHERE id = $1`, [orderId]);
        // A consignor sees only its own lines of an order that also holds other consignors' goods.
        const lines = await db.query<{ sku: string; name: string; qty: number }>(
          `SELECT p.sku, p.name, l.qty FROM order_lines l JOIN products p ON p.id = l.product_id
           WHERE l.order_id = $1 AND ($2::bigint IS NULL OR l.consignor_id = $2) ORDER BY l.line_no`,
          [orderId, person.role === 'consignor' ? person.dbId : null]);
        const shipments = await db.query<{ carrier: string; service: string; tracking_number: string; status: string; eta: string; city: string }>(
          `SELECT s.carrier, s.service, s.tracking_number, s.status, to_char(s.eta_date, 'YYYY-MM-DD') AS eta, h.city
           FROM shipments s JOIN hubs h ON h.id = s.hub_id WHERE s.order_id = $1 AND s.status <> 'cancelled' ORDER BY h.code`, [orderId]);
        const o = head.rows[0]!;
        return {
          orderSource,
          recentOrders,
          order: {
            id: o.id, status: o.status, createdAt: o.created, totalKop: o.total_kop, paymentDueDate: o.due,
            lines: lines.rows,
            shipments: shipments.rows.map((s) => ({
              carrier: s.carrier, service: s.service, trackingNumber: s.tracking_number, status: s.status, etaDate: s.eta, hubCity: s.city,
            })),
          },
        };
      });
    },

    /** Finance: the consignor's balance from its consignor_payable postings, split by transaction kind. */
    async conversationFinanceBalance(person: PersonProfile): Promise<BalanceFacts> {
      return step('finance', 'finance', async () => {
        if (person.role !== 'consignor') throw nonRetryable(FailureType.InvalidInput, 'only consignors have a consignment balance');
        const r = await db.query<{ balance: number; accrued: number; reversed: number; paid_out: number; sales: number; last_sale: string | null; last_payout: string | null }>(
          `SELECT coalesce(-sum(p.amount_kop), 0)::bigint AS balance,
                  coalesce(-sum(p.amount_kop) FILTER (WHERE t.kind = 'sale'), 0)::bigint AS accrued,
                  coalesce(sum(p.amount_kop) FILTER (WHERE t.kind = 'sale_reversal'), 0)::bigint AS reversed,
                  coalesce(sum(p.amount_kop) FILTER (WHERE t.kind = 'payout'), 0)::bigint AS paid_out,
                  count(DISTINCT t.order_id) FILTER (WHERE t.kind = 'sale')::int AS sales,
                  to_char(max(t.created_at) FILTER (WHERE t.kind = 'sale'), 'YYYY-MM-DD') AS last_sale,
                  to_char(max(t.created_at) FILTER (WHERE t.kind = 'payout'), 'YYYY-MM-DD') AS last_payout
           FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.txn_id
           WHERE p.account = 'consignor_payable' AND p.consignor_id = $1`, [person.dbId]);
        const row = r.rows[0]!;
        return {
          balanceKop: row.balance,
          accruedKop: row.accrued,
          reversedKop: row.reversed,
          paidOutKop: row.paid_out,
          otherKop: row.balance - row.accrued + row.reversed + row.paid_out,
          salesCount: row.sales,
          lastSaleDate: row.last_sale,
          lastPayoutDate: row.last_payout,
        };
      });
    },

    /** Catalog: products named in the message (SKU first, then name words), else the one remembered. */
    async conversationCatalogProducts(person: PersonProfile, text: string, rememberedSku: string | undefined): Promise<ProductFacts> {
      return step('catalog', 'catalog', async () => {
        const skus = referenceTokens(text).map((t) => t.toUpperCase());
        const stems = productWordStems(text);
        const query = (skuList: string[], stemList: string[]) =>
          readDb.query<{ sku: string; name: string; category: string; consignor: string; price_kop: number; weight_g: number; volume_ml: number; ingredients: string[]; allergens: string[]; shelf_life_days: number; storage: string; available: number; by_sku: boolean }>(
            `WITH hits AS (
               SELECT p.id, upper(p.sku) = ANY($1) AS by_sku,
                      (SELECT count(*) FROM unnest($2::text[]) w WHERE lower(p.name) LIKE '%' || w || '%') AS words
               FROM products p WHERE p.active AND ($3::bigint IS NULL OR p.consignor_id = $3))
             SELECT p.sku, p.name, c.name AS category, co.name AS consignor, p.price_kop, p.weight_g, p.volume_ml, p.ingredients, p.allergens,
                    p.shelf_life_days, p.storage, h.by_sku,
                    coalesce((SELECT sum(s.qty_on_hand - s.qty_reserved) FROM stock s JOIN batches b ON b.id = s.batch_id
                              WHERE b.product_id = p.id AND b.status IN ('in_stock', 'partly_sold')
                                AND b.expiry_date > current_date + ${MIN_DAYS_LEFT_TO_SELL}), 0)::int AS available
             FROM hits h JOIN products p ON p.id = h.id JOIN categories c ON c.id = p.category_id JOIN consignors co ON co.id = p.consignor_id
             WHERE h.by_sku OR h.words > 0
             ORDER BY h.by_sku DESC, h.words DESC, p.id LIMIT 3`,
            [skuList, stemList, person.role === 'consignor' ? person.dbId : null]);
        let rows = (skus.length || stems.length) ? (await query(skus, stems)).rows : [];
        let matchedBy: ProductFacts['matchedBy'] = rows.length === 0 ? 'none' : rows[0]!.by_sku ? 'sku' : 'name';
        if (rows.length === 0 && rememberedSku) {
          rows = (await query([rememberedSku.toUpperCase()], [])).rows;
          if (rows.length) matchedBy = 'memory';
        }
        return {
          matchedBy,
          products: rows.map((p) => ({
            sku: p.sku, name: p.name, category: p.category, consignor: p.consignor, priceKop: p.price_kop, weightG: p.weight_g,
            volumeMl: p.volume_ml, ingredients: p.ingredients, allergens: p.allergens, shelfLifeDays: p.shelf_life_days,
            storage: p.storage, available: p.available,
          })),
        };
      });
    },

    /** Customer Care: records the complaint once per message (unique complaint key), linked to the order when known. */
    async conversationCareRecordComplaint(sessionId: string, messageId: string, person: PersonProfile, orderId: string | undefined, text: string): Promise<ComplaintRecord> {
      return step('customer_care', 'customer_care', async () => {
        const key = `${sessionId}:${messageId}`;
        const inserted = await db.query<{ id: number }>(
          `INSERT INTO customer_complaints (complaint_key, session_id, buyer_id, consignor_id, order_id, body)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (complaint_key) DO NOTHING RETURNING id`,
          [key, sessionId, person.role === 'buyer' ? person.dbId : null, person.role === 'consignor' ? person.dbId : null, orderId ?? null, text]);
        const id = inserted.rows[0]?.id ?? (await db.query<{ id: number }>('SELECT id FROM customer_complaints WHERE complaint_key = $1', [key])).rows[0]!.id;
        return { complaintId: id, ref: complaintRef(id), created: inserted.rowCount === 1 };
      });
    },

    /** History: the question and the answer, each stored once under its message key. */
    async conversationRecordExchange(record: ExchangeRecord, runId: string): Promise<void> {
      await step('history', 'assistant', () => inTransaction(db, async (client) => {
        const rows: [string, string, string | null][] = [['user', record.question, null], ['assistant', record.answer, record.agent]];
        for (const [role, body, agent] of rows) {
          await client.query(
            `INSERT INTO conversation_messages (session_id, run_id, message_id, message_key, turn, role, body, intent, agent, order_id, facts, used_fallback)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (message_key) DO NOTHING`,
            [record.sessionId, runId, record.messageId, `${record.sessionId}:${record.messageId}:${role}`, record.turn, role, body.slice(0, 4000),
              record.intent, agent, record.orderId ?? null, role === 'assistant' ? JSON.stringify(record.facts) : null,
              role === 'assistant' ? record.usedFallback : null]);
        }
        await client.query(
          `UPDATE conversation_sessions SET last_message_at = now(),
             messages = (SELECT count(*) FROM conversation_messages WHERE session_id = $1 AND role = 'user') WHERE id = $1`, [record.sessionId]);
      }));
    },

    async conversationCloseSession(sessionId: string, reason: string): Promise<void> {
      await step('assistant', 'assistant', async () => {
        await db.query(`UPDATE conversation_sessions SET status = 'closed', close_reason = $2, closed_at = now() WHERE id = $1`, [sessionId, reason]);
      });
    },
  };
}

export type ConversationActivities = ReturnType<typeof createConversationActivities>;
