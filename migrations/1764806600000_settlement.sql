-- Up Migration

-- One row per settled period: the crew's plan, analytics report and audit narrative.
CREATE TABLE settlement_runs (
  period        text PRIMARY KEY CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  workflow_id   text NOT NULL,
  scope         text NOT NULL,
  status        text NOT NULL CHECK (status IN ('computing', 'awaiting_decisions', 'completed')),
  plan          jsonb,
  analytics     jsonb,
  compliance    jsonb,
  totals        jsonb,
  started_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  completed_at  timestamptz
);

-- A consignor's statement for a period, written once (unique per period and consignor) and
-- chained: opening = the previous statement's carried_over_kop. The CHECKs are the settlement
-- identities, so no code path can store a statement that does not add up.
CREATE TABLE settlement_statements (
  id                bigserial PRIMARY KEY,
  period            text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  consignor_id      bigint NOT NULL REFERENCES consignors(id),
  workflow_id       text NOT NULL,
  opening_kop       bigint NOT NULL,
  sales_kop         bigint NOT NULL CHECK (sales_kop >= 0),
  returns_kop       bigint NOT NULL CHECK (returns_kop >= 0),
  commission_kop    bigint NOT NULL,
  logistics_fee_kop bigint NOT NULL CHECK (logistics_fee_kop >= 0),
  storage_fee_kop   bigint NOT NULL CHECK (storage_fee_kop >= 0),
  fees_kop          bigint NOT NULL,
  adjustments_kop   bigint NOT NULL DEFAULT 0,
  net_kop           bigint NOT NULL,
  closing_kop       bigint NOT NULL,
  payout_kop        bigint NOT NULL CHECK (payout_kop >= 0),
  -- Set when the payout is decided: closing minus what was paid.
  carried_over_kop  bigint,
  unit_days         jsonb NOT NULL,
  lines             jsonb NOT NULL,
  fee_txn_id        bigint REFERENCES ledger_transactions(id),
  act_markdown      text NOT NULL,
  act_html          text NOT NULL,
  recommendations   jsonb,
  recommendations_fallback boolean,
  created_at        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (period, consignor_id),
  CHECK (fees_kop = logistics_fee_kop + storage_fee_kop),
  CHECK (net_kop = sales_kop - returns_kop - commission_kop - fees_kop + adjustments_kop),
  CHECK (closing_kop = opening_kop + net_kop),
  CHECK (payout_kop = greatest(0, closing_kop))
);
CREATE INDEX settlement_statements_consignor_idx ON settlement_statements (consignor_id, period);

-- Payouts stay proposed until an operator (or the auto-approve threshold) decides; only an
-- approval posts money (a `payout` ledger transaction with key settlement-<period>-<code>:payout).
CREATE TABLE settlement_payouts (
  id            bigserial PRIMARY KEY,
  period        text NOT NULL,
  consignor_id  bigint NOT NULL REFERENCES consignors(id),
  statement_id  bigint NOT NULL UNIQUE REFERENCES settlement_statements(id),
  amount_kop    bigint NOT NULL CHECK (amount_kop >= 0),
  status        text NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected', 'expired', 'nothing_to_pay')),
  ledger_txn_id bigint UNIQUE REFERENCES ledger_transactions(id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  decided_at    timestamptz,
  UNIQUE (period, consignor_id),
  CHECK ((status = 'approved') = (ledger_txn_id IS NOT NULL)),
  CHECK (status <> 'nothing_to_pay' OR amount_kop = 0),
  CHECK (status NOT IN ('proposed', 'approved') OR amount_kop > 0)
);
CREATE INDEX settlement_payouts_pending_idx ON settlement_payouts (period) WHERE status = 'proposed';

-- Every decision on a payout: who, when, why. One per payout (a decision is final) and append-only.
CREATE TABLE settlement_decisions (
  id           bigserial PRIMARY KEY,
  payout_id    bigint NOT NULL UNIQUE REFERENCES settlement_payouts(id),
  period       text NOT NULL,
  consignor_id bigint NOT NULL REFERENCES consignors(id),
  decision     text NOT NULL CHECK (decision IN ('approve', 'auto_approve', 'reject', 'expire')),
  actor        text NOT NULL CHECK (length(actor) > 0),
  reason       text,
  amount_kop   bigint NOT NULL,
  workflow_id  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CHECK (decision <> 'reject' OR length(coalesce(reason, '')) >= 3)
);
CREATE TRIGGER settlement_decisions_append_only BEFORE UPDATE OR DELETE ON settlement_decisions
  FOR EACH ROW EXECUTE FUNCTION forbid_rewrite();

-- Compliance findings per period; the (rule, subject) key makes a re-run add nothing.
CREATE TABLE compliance_findings (
  id           bigserial PRIMARY KEY,
  period       text NOT NULL,
  consignor_id bigint REFERENCES consignors(id),
  rule         text NOT NULL,
  severity     text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  subject      text NOT NULL,
  detail       text NOT NULL,
  facts        jsonb NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (period, rule, subject)
);

-- Append-only event log of price changes; the trigger records every change of products.price_kop,
-- whoever makes it (set greenfood.actor / greenfood.reason in the transaction to name them).
CREATE TABLE price_changes (
  id            bigserial PRIMARY KEY,
  product_id    bigint NOT NULL REFERENCES products(id),
  old_price_kop bigint NOT NULL,
  new_price_kop bigint NOT NULL,
  actor         text NOT NULL DEFAULT 'unknown',
  reason        text,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX price_changes_created_idx ON price_changes (created_at);
CREATE TRIGGER price_changes_append_only BEFORE UPDATE OR DELETE ON price_changes
  FOR EACH ROW EXECUTE FUNCTION forbid_rewrite();

CREATE FUNCTION log_price_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO price_changes (product_id, old_price_kop, new_price_kop, actor, reason)
  VALUES (NEW.id, OLD.price_kop, NEW.price_kop,
          coalesce(nullif(current_setting('greenfood.actor', true), ''), current_user),
          nullif(current_setting('greenfood.reason', true), ''));
  RETURN NEW;
END $$;
CREATE TRIGGER products_price_change_log AFTER UPDATE OF price_kop ON products
  FOR EACH ROW WHEN (OLD.price_kop IS DISTINCT FROM NEW.price_kop) EXECUTE FUNCTION log_price_change();

-- Manual corrections of a consignor's balance: who and why, next to the `adjustment` ledger
-- transaction that moves the money. Compliance reports every one (and any adjustment without one).
CREATE TABLE balance_adjustments (
  id            bigserial PRIMARY KEY,
  consignor_id  bigint NOT NULL REFERENCES consignors(id),
  amount_kop    bigint NOT NULL CHECK (amount_kop <> 0),
  ledger_txn_id bigint NOT NULL UNIQUE REFERENCES ledger_transactions(id),
  actor         text NOT NULL CHECK (length(actor) > 0),
  reason        text NOT NULL CHECK (length(reason) >= 3),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER balance_adjustments_append_only BEFORE UPDATE OR DELETE ON balance_adjustments
  FOR EACH ROW EXECUTE FUNCTION forbid_rewrite();

-- Settlement and audit read a month of the logs at a time.
CREATE INDEX settlement_ledger_created_idx ON ledger_transactions (created_at, kind);
CREATE INDEX settlement_stock_movements_created_idx ON stock_movements (created_at);

-- Down Migration
DROP INDEX settlement_stock_movements_created_idx;
DROP INDEX settlement_ledger_created_idx;
DROP TABLE balance_adjustments;
DROP TRIGGER products_price_change_log ON products;
DROP FUNCTION log_price_change();
DROP TABLE price_changes;
DROP TABLE compliance_findings;
DROP TABLE settlement_decisions;
DROP TABLE settlement_payouts;
DROP TABLE settlement_statements;
DROP TABLE settlement_runs;
