-- Up Migration

-- Trigram similarity finds likely duplicate product names (pg_trgm ships with PostgreSQL's contrib).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);

-- One row per onboarding run. run_key (workflow id + first run id) is the idempotency key of the
-- whole crew: a retried Assistant step finds its run instead of registering the consignor twice,
-- while a new run after a failed one (same workflow id) gets a row of its own.
-- The row outlives a compensated consignor: it is the record of what was tried and why it failed.
CREATE TABLE onboarding_runs (
  id            bigserial PRIMARY KEY,
  run_key       text NOT NULL UNIQUE,
  workflow_id   text NOT NULL,
  edrpou        text NOT NULL,
  consignor_id  bigint REFERENCES consignors(id) ON DELETE SET NULL,
  consignor_code text NOT NULL,
  input         jsonb NOT NULL,
  status        text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
  plan_text     text,
  failure_type  text,
  failure_reason text,
  compensation  text CHECK (compensation IN ('rolled_back', 'suspended')),
  -- Every date the crew derives (arrivals, first sale) counts from here, so a retry after midnight agrees with the first attempt.
  registered_on date NOT NULL DEFAULT current_date,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz
);
CREATE INDEX onboarding_runs_workflow_idx ON onboarding_runs (workflow_id);
CREATE INDEX onboarding_runs_edrpou_idx ON onboarding_runs (edrpou);

-- The onboarding checklist (Assistant) and the launch checklist (Vendor Success); code decides the items.
CREATE TABLE onboarding_checklist_items (
  onboarding_id bigint NOT NULL REFERENCES onboarding_runs(id),
  code          text NOT NULL,
  phase         text NOT NULL CHECK (phase IN ('onboarding', 'launch')),
  position      integer NOT NULL,
  title         text NOT NULL,
  owner         text NOT NULL,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'cancelled')),
  due_date      date,
  done_at       timestamptz,
  PRIMARY KEY (onboarding_id, code)
);

-- A submitted product that looks like an existing card: an operator merges it or asks for a new card.
CREATE TABLE product_merge_proposals (
  id                  bigserial PRIMARY KEY,
  onboarding_id       bigint NOT NULL REFERENCES onboarding_runs(id),
  line_no             integer NOT NULL CHECK (line_no > 0),
  existing_product_id bigint NOT NULL REFERENCES products(id),
  similarity          numeric(4,3) NOT NULL CHECK (similarity BETWEEN 0 AND 1),
  proposed_card       jsonb NOT NULL,
  status              text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'merged', 'rejected', 'withdrawn')),
  decided_reason      text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (onboarding_id, line_no)
);
CREATE INDEX product_merge_proposals_pending_idx ON product_merge_proposals (created_at) WHERE status = 'pending';

-- Initial batches are announced at onboarding (batches.status = 'created') and received later;
-- batches carry no quantity, so the planned quantity, zone and arrival date live here.
CREATE TABLE onboarding_batches (
  batch_id         bigint PRIMARY KEY REFERENCES batches(id),
  onboarding_id    bigint NOT NULL REFERENCES onboarding_runs(id),
  line_no          integer NOT NULL CHECK (line_no > 0),
  zone_id          bigint NOT NULL REFERENCES hub_zones(id),
  requested_hub    boolean NOT NULL,
  qty              integer NOT NULL CHECK (qty > 0),
  expected_arrival date NOT NULL,
  UNIQUE (onboarding_id, line_no)
);

-- Per consignor and category: when Batch & Quality alerts before expiry and proposes a markdown.
CREATE TABLE consignor_expiry_rules (
  consignor_id         bigint NOT NULL REFERENCES consignors(id),
  category_id          bigint NOT NULL REFERENCES categories(id),
  alert_days_before    integer NOT NULL CHECK (alert_days_before > 0),
  markdown_days_before integer NOT NULL CHECK (markdown_days_before > 0),
  min_days_to_sell     integer NOT NULL CHECK (min_days_to_sell > 0),
  created_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consignor_id, category_id),
  CHECK (markdown_days_before < alert_days_before)
);

-- Finance's pricing model for a consignor: commission, payment terms and the per-product check.
CREATE TABLE consignor_pricing_models (
  consignor_id       bigint PRIMARY KEY REFERENCES consignors(id),
  onboarding_id      bigint NOT NULL REFERENCES onboarding_runs(id),
  plan               text NOT NULL CHECK (plan IN ('starter', 'standard', 'premium')),
  commission_bp      integer NOT NULL CHECK (commission_bp BETWEEN 0 AND 5000),
  payment_terms_days integer NOT NULL CHECK (payment_terms_days > 0),
  payout_schedule    text NOT NULL CHECK (payout_schedule IN ('monthly')),
  lines              jsonb NOT NULL,
  warnings           text[] NOT NULL DEFAULT '{}',
  created_at         timestamptz NOT NULL DEFAULT now()
);

-- Vendor Success: success metrics, expected dates and the recommendations given at launch.
CREATE TABLE vendor_launch_plans (
  onboarding_id     bigint PRIMARY KEY REFERENCES onboarding_runs(id),
  consignor_id      bigint NOT NULL REFERENCES consignors(id),
  first_sale_date   date NOT NULL,
  first_payout_date date NOT NULL,
  metrics           jsonb NOT NULL,
  recommendations   text,
  launched_at       timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE vendor_launch_plans;
DROP TABLE consignor_pricing_models;
DROP TABLE consignor_expiry_rules;
DROP TABLE onboarding_batches;
DROP TABLE product_merge_proposals;
DROP TABLE onboarding_checklist_items;
DROP TABLE onboarding_runs;
DROP INDEX products_name_trgm_idx;
-- pg_trgm stays: dropping an extension other objects may have come to use is not this migration's call.
