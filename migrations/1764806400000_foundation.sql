-- Up Migration

-- Consignors hand goods to GREENFOOD on consignment; commission is in basis points (1500 = 15 %).
CREATE TABLE consignors (
  id            bigserial PRIMARY KEY,
  code          text NOT NULL UNIQUE,
  name          text NOT NULL,
  legal_name    text NOT NULL,
  edrpou        text NOT NULL UNIQUE CHECK (edrpou ~ '^[0-9]{8,10}$'),
  iban          text NOT NULL CHECK (iban ~ '^UA[0-9]{27}$'),
  email         text NOT NULL,
  phone         text NOT NULL,
  plan          text NOT NULL DEFAULT 'standard' CHECK (plan IN ('starter', 'standard', 'premium')),
  commission_bp integer NOT NULL CHECK (commission_bp BETWEEN 0 AND 5000),
  payment_terms_days integer NOT NULL DEFAULT 30 CHECK (payment_terms_days > 0),
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('onboarding', 'active', 'suspended')),
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE hubs (
  id         bigserial PRIMARY KEY,
  code       text NOT NULL UNIQUE,
  name       text NOT NULL,
  city       text NOT NULL,
  address    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A hub is split into temperature zones; a product can only be stored in a zone matching its storage.
CREATE TABLE hub_zones (
  id        bigserial PRIMARY KEY,
  hub_id    bigint NOT NULL REFERENCES hubs(id),
  code      text NOT NULL,
  temperature_zone text NOT NULL CHECK (temperature_zone IN ('ambient', 'chilled', 'frozen')),
  min_celsius numeric(4,1) NOT NULL,
  max_celsius numeric(4,1) NOT NULL CHECK (max_celsius >= min_celsius),
  racks     integer NOT NULL CHECK (racks > 0),
  UNIQUE (hub_id, code)
);

CREATE TABLE categories (
  id   bigserial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  name text NOT NULL
);

CREATE TABLE products (
  id             bigserial PRIMARY KEY,
  sku            text NOT NULL UNIQUE,
  consignor_id   bigint NOT NULL REFERENCES consignors(id),
  category_id    bigint NOT NULL REFERENCES categories(id),
  name           text NOT NULL,
  short_description text NOT NULL DEFAULT '',
  long_description  text NOT NULL DEFAULT '',
  price_kop      bigint NOT NULL CHECK (price_kop > 0),
  cost_kop       bigint NOT NULL CHECK (cost_kop > 0),
  weight_g       integer NOT NULL CHECK (weight_g > 0),
  volume_ml      integer NOT NULL CHECK (volume_ml > 0),
  ingredients    text[] NOT NULL DEFAULT '{}',
  allergens      text[] NOT NULL DEFAULT '{}',
  shelf_life_days integer NOT NULL CHECK (shelf_life_days > 0),
  storage        text NOT NULL CHECK (storage IN ('ambient', 'chilled', 'frozen')),
  media          text[] NOT NULL DEFAULT '{}',
  active         boolean NOT NULL DEFAULT true,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_category_idx ON products (category_id) WHERE active;
CREATE INDEX products_consignor_idx ON products (consignor_id);

CREATE TABLE batches (
  id              bigserial PRIMARY KEY,
  code            text NOT NULL UNIQUE,
  product_id      bigint NOT NULL REFERENCES products(id),
  consignor_id    bigint NOT NULL REFERENCES consignors(id),
  origin_hub_id   bigint NOT NULL REFERENCES hubs(id),
  production_date date NOT NULL,
  expiry_date     date NOT NULL CHECK (expiry_date > production_date),
  status          text NOT NULL DEFAULT 'in_stock' CHECK (status IN
                    ('created', 'in_transit', 'in_stock', 'partly_sold', 'sold_out', 'expired', 'returned', 'disposed')),
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX batches_product_expiry_idx ON batches (product_id, expiry_date);

-- On-hand and reserved quantities per batch per hub; the CHECKs are the last line of defence against overselling.
CREATE TABLE stock (
  batch_id     bigint NOT NULL REFERENCES batches(id),
  hub_id       bigint NOT NULL REFERENCES hubs(id),
  zone_id      bigint REFERENCES hub_zones(id),
  qty_on_hand  integer NOT NULL CHECK (qty_on_hand >= 0),
  qty_reserved integer NOT NULL DEFAULT 0 CHECK (qty_reserved >= 0),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, hub_id),
  CHECK (qty_reserved <= qty_on_hand)
);

CREATE TABLE stock_movements (
  id         bigserial PRIMARY KEY,
  batch_id   bigint NOT NULL REFERENCES batches(id),
  hub_id     bigint NOT NULL REFERENCES hubs(id),
  kind       text NOT NULL CHECK (kind IN
               ('receipt', 'reserve', 'release', 'shipment', 'return', 'write_off', 'transfer_out', 'transfer_in', 'adjustment')),
  qty        integer NOT NULL CHECK (qty > 0),
  reference  text NOT NULL,
  reason     text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stock_movements_reference_idx ON stock_movements (reference);

-- Append-only tables: history is corrected by new rows, never rewritten.
CREATE FUNCTION forbid_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OR DELETE ON stock_movements
  FOR EACH ROW EXECUTE FUNCTION forbid_rewrite();

CREATE TABLE buyer_tiers (
  tier        text PRIMARY KEY CHECK (tier IN ('retail', 'b2b', 'vip')),
  discount_bp integer NOT NULL CHECK (discount_bp BETWEEN 0 AND 5000),
  payment_terms_days integer NOT NULL CHECK (payment_terms_days >= 0),
  priority    text NOT NULL CHECK (priority IN ('vip', 'regular', 'background'))
);

CREATE TABLE buyers (
  id          bigserial PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  name        text NOT NULL,
  tier        text NOT NULL REFERENCES buyer_tiers(tier),
  email       text NOT NULL,
  phone       text NOT NULL,
  city        text NOT NULL,
  -- Individual terms override the tier's (negotiated B2B contracts).
  discount_bp integer CHECK (discount_bp BETWEEN 0 AND 5000),
  payment_terms_days integer CHECK (payment_terms_days >= 0),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
  id           text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
  workflow_id  text NOT NULL UNIQUE,
  buyer_id     bigint NOT NULL REFERENCES buyers(id),
  priority     text NOT NULL CHECK (priority IN ('vip', 'regular', 'background')),
  status       text NOT NULL CHECK (status IN
                 ('accepted', 'priced', 'reserved', 'shipping', 'invoiced', 'confirmed', 'cancelled')),
  delivery_address jsonb NOT NULL,
  subtotal_kop bigint,
  discount_kop bigint,
  delivery_kop bigint,
  total_kop    bigint,
  payment_due_date date,
  confirmation_message text,
  cancel_reason text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_created_idx ON orders (created_at DESC);

CREATE TABLE order_lines (
  order_id     text NOT NULL REFERENCES orders(id),
  line_no      integer NOT NULL CHECK (line_no > 0),
  requested_product_id bigint NOT NULL REFERENCES products(id),
  product_id   bigint NOT NULL REFERENCES products(id),
  consignor_id bigint NOT NULL REFERENCES consignors(id),
  qty          integer NOT NULL CHECK (qty > 0),
  unit_price_kop bigint NOT NULL CHECK (unit_price_kop > 0),
  discount_kop bigint NOT NULL DEFAULT 0 CHECK (discount_kop >= 0),
  substitution_reason text,
  PRIMARY KEY (order_id, line_no)
);

CREATE TABLE reservations (
  id        bigserial PRIMARY KEY,
  order_id  text NOT NULL REFERENCES orders(id),
  line_no   integer NOT NULL,
  batch_id  bigint NOT NULL REFERENCES batches(id),
  hub_id    bigint NOT NULL REFERENCES hubs(id),
  qty       integer NOT NULL CHECK (qty > 0),
  status    text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'released', 'shipped')),
  created_at timestamptz NOT NULL DEFAULT now(),
  released_at timestamptz,
  UNIQUE (order_id, line_no, batch_id, hub_id)
);
CREATE INDEX reservations_order_idx ON reservations (order_id);

CREATE TABLE shipments (
  id          bigserial PRIMARY KEY,
  order_id    text NOT NULL REFERENCES orders(id),
  hub_id      bigint NOT NULL REFERENCES hubs(id),
  carrier     text NOT NULL,
  service     text NOT NULL,
  tracking_number text NOT NULL UNIQUE,
  route       jsonb NOT NULL,
  weight_g    integer NOT NULL CHECK (weight_g > 0),
  eta_date    date NOT NULL,
  delivery_kop bigint NOT NULL CHECK (delivery_kop >= 0),
  status      text NOT NULL DEFAULT 'created' CHECK (status IN
                ('created', 'handed_to_carrier', 'in_transit', 'at_pickup_point', 'delivered', 'not_delivered', 'returned', 'cancelled')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (order_id, hub_id)
);

-- Double-entry ledger in integer kopiykas. Each transaction's postings sum to zero
-- (debits positive, credits negative); idempotency_key = workflow id + step.
CREATE TABLE ledger_transactions (
  id              bigserial PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE,
  kind            text NOT NULL CHECK (kind IN ('sale', 'sale_reversal', 'payout', 'fee', 'adjustment')),
  order_id        text REFERENCES orders(id),
  reverses_id     bigint UNIQUE REFERENCES ledger_transactions(id),
  description     text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ledger_postings (
  id           bigserial PRIMARY KEY,
  txn_id       bigint NOT NULL REFERENCES ledger_transactions(id),
  account      text NOT NULL CHECK (account IN
                 ('buyer_receivable', 'consignor_payable', 'platform_commission', 'delivery_revenue', 'cash', 'fees_revenue')),
  consignor_id bigint REFERENCES consignors(id),
  buyer_id     bigint REFERENCES buyers(id),
  amount_kop   bigint NOT NULL CHECK (amount_kop <> 0),
  CHECK ((account = 'consignor_payable') = (consignor_id IS NOT NULL))
);
CREATE INDEX ledger_postings_txn_idx ON ledger_postings (txn_id);
CREATE INDEX ledger_postings_consignor_idx ON ledger_postings (consignor_id) WHERE consignor_id IS NOT NULL;

CREATE FUNCTION ledger_transaction_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  imbalance bigint;
  postings integer;
BEGIN
  SELECT coalesce(sum(amount_kop), 0), count(*) INTO imbalance, postings
    FROM ledger_postings WHERE txn_id = NEW.txn_id;
  IF imbalance <> 0 OR postings < 2 THEN
    RAISE EXCEPTION 'ledger transaction % is unbalanced by % kop (% postings)', NEW.txn_id, imbalance, postings
      USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_postings_balanced AFTER INSERT ON ledger_postings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transaction_balanced();
CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
  FOR EACH ROW EXECUTE FUNCTION forbid_rewrite();
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
  FOR EACH ROW EXECUTE FUNCTION forbid_rewrite();

-- One row per agent step (and per LLM attempt): what ran, on which model, at what cost, with what outcome.
CREATE TABLE agent_runs (
  id          bigserial PRIMARY KEY,
  workflow_id text NOT NULL,
  run_id      text NOT NULL,
  crew        text NOT NULL,
  step        text NOT NULL,
  agent       text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('tool', 'llm')),
  provider    text,
  pool        text,
  model       text,
  tokens_in   integer NOT NULL DEFAULT 0,
  tokens_out  integer NOT NULL DEFAULT 0,
  latency_ms  integer NOT NULL DEFAULT 0,
  attempt     integer NOT NULL DEFAULT 1,
  outcome     text NOT NULL CHECK (outcome IN ('ok', 'invalid_output', 'error', 'fallback', 'failed')),
  detail      text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_runs_workflow_idx ON agent_runs (workflow_id);

-- Down Migration
DROP TABLE agent_runs;
DROP TABLE ledger_postings;
DROP TABLE ledger_transactions;
DROP FUNCTION ledger_transaction_balanced();
DROP TABLE shipments;
DROP TABLE reservations;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE buyers;
DROP TABLE buyer_tiers;
DROP TABLE stock_movements;
DROP FUNCTION forbid_rewrite();
DROP TABLE stock;
DROP TABLE batches;
DROP TABLE products;
DROP TABLE categories;
DROP TABLE hub_zones;
DROP TABLE hubs;
DROP TABLE consignors;
