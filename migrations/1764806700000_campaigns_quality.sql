-- Up Migration

-- ---------------------------------------------------------------------------------------------
-- marketing_campaign: one row per campaign (its workflow is campaign-<id>); every later step
-- writes under the campaign id, so a retried or re-run crew writes each row once.

CREATE TABLE campaigns (
  id              text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
  workflow_id     text NOT NULL UNIQUE,
  name            text NOT NULL CHECK (length(name) BETWEEN 3 AND 120),
  goal            text NOT NULL,
  objective       text NOT NULL CHECK (objective IN ('awareness', 'sales', 'launch', 'clear_stock')),
  channels        text[] NOT NULL CHECK (cardinality(channels) > 0),
  budget_kop      bigint NOT NULL CHECK (budget_kop > 0),
  start_date      date NOT NULL,
  end_date        date NOT NULL CHECK (end_date >= start_date),
  priority        text NOT NULL CHECK (priority IN ('vip', 'regular', 'background')),
  -- Assistant's plan: code-decided metrics, budget split and discount ceiling, plus the LLM's text.
  plan            jsonb NOT NULL,
  max_discount_bp integer NOT NULL CHECK (max_discount_bp BETWEEN 0 AND 5000),
  status          text NOT NULL CHECK (status IN ('stock_confirmed', 'content_ready', 'seo_ready', 'priced', 'ready', 'failed')),
  failure_reason  text,
  kpi_brief       text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Warehouse's verdict per requested product: expected promo demand (code) against sellable stock.
CREATE TABLE campaign_products (
  campaign_id     text NOT NULL REFERENCES campaigns(id),
  product_id      bigint NOT NULL REFERENCES products(id),
  decision        text NOT NULL CHECK (decision IN ('promote', 'dropped')),
  flags           text[] NOT NULL DEFAULT '{}',
  sold_last_28d   integer NOT NULL CHECK (sold_last_28d >= 0),
  baseline_milli_per_day integer NOT NULL CHECK (baseline_milli_per_day > 0),
  uplift_bp       integer NOT NULL CHECK (uplift_bp >= 10000),
  expected_units  integer NOT NULL CHECK (expected_units >= 0),
  -- Free units in batches that stay sellable through the campaign's last day.
  sellable_units  integer NOT NULL CHECK (sellable_units >= 0),
  -- Free units in batches that expire before the campaign ends: not counted on.
  expiring_units  integer NOT NULL CHECK (expiring_units >= 0),
  earliest_expiry date,
  PRIMARY KEY (campaign_id, product_id),
  CHECK (decision = 'dropped' OR sellable_units > 0)
);

CREATE TABLE campaign_content (
  campaign_id     text NOT NULL REFERENCES campaigns(id),
  channel         text NOT NULL CHECK (channel IN ('instagram', 'facebook', 'telegram', 'email', 'site_banner')),
  headline        text NOT NULL CHECK (length(headline) BETWEEN 1 AND 150),
  body            text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),
  call_to_action  text NOT NULL CHECK (length(call_to_action) BETWEEN 1 AND 60),
  hashtags        text[] NOT NULL DEFAULT '{}',
  promo_code      text NOT NULL,
  source          text NOT NULL CHECK (source IN ('llm', 'fallback')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (campaign_id, channel)
);

-- Landing page metadata; the slug is computed by code and unique across campaigns.
CREATE TABLE campaign_pages (
  campaign_id     text PRIMARY KEY REFERENCES campaigns(id),
  slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
  title           text NOT NULL CHECK (length(title) BETWEEN 10 AND 60),
  meta_description text NOT NULL CHECK (length(meta_description) BETWEEN 50 AND 160),
  h1              text NOT NULL CHECK (length(h1) BETWEEN 5 AND 70),
  keywords        text[] NOT NULL,
  faq             jsonb NOT NULL DEFAULT '[]',
  source          text NOT NULL CHECK (source IN ('llm', 'fallback')),
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- Campaign prices: the cost snapshot must equal the product's cost at write time (trigger below),
-- and the promo price may never go below it (CHECK), whatever the code upstream computed.
CREATE TABLE campaign_prices (
  campaign_id     text NOT NULL REFERENCES campaigns(id),
  product_id      bigint NOT NULL REFERENCES products(id),
  regular_price_kop bigint NOT NULL CHECK (regular_price_kop > 0),
  cost_kop        bigint NOT NULL CHECK (cost_kop > 0),
  discount_bp     integer NOT NULL CHECK (discount_bp BETWEEN 0 AND 5000),
  promo_price_kop bigint NOT NULL,
  target_units    integer NOT NULL CHECK (target_units >= 0),
  PRIMARY KEY (campaign_id, product_id),
  CHECK (promo_price_kop >= cost_kop AND promo_price_kop <= regular_price_kop)
);

CREATE FUNCTION campaign_price_matches_cost() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  actual bigint;
BEGIN
  SELECT cost_kop INTO actual FROM products WHERE id = NEW.product_id;
  IF actual IS NULL OR NEW.cost_kop <> actual OR NEW.promo_price_kop < actual THEN
    RAISE EXCEPTION 'campaign price % for product % is below its cost % (snapshot %)', NEW.promo_price_kop, NEW.product_id, actual, NEW.cost_kop
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER campaign_prices_not_below_cost BEFORE INSERT OR UPDATE ON campaign_prices
  FOR EACH ROW EXECUTE FUNCTION campaign_price_matches_cost();

-- One promo code per campaign channel, so redemptions attribute sales to a channel.
CREATE TABLE promo_codes (
  code            text PRIMARY KEY CHECK (code ~ '^[A-Z0-9]+(-[A-Z0-9]+)*$' AND length(code) <= 32),
  campaign_id     text NOT NULL REFERENCES campaigns(id),
  channel         text NOT NULL,
  usage_limit     integer NOT NULL CHECK (usage_limit > 0),
  per_buyer_limit integer NOT NULL CHECK (per_buyer_limit > 0),
  max_units_per_use integer NOT NULL CHECK (max_units_per_use > 0),
  times_used      integer NOT NULL DEFAULT 0 CHECK (times_used >= 0 AND times_used <= usage_limit),
  valid_from      date NOT NULL,
  valid_to        date NOT NULL CHECK (valid_to >= valid_from),
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (campaign_id, channel)
);

CREATE TABLE campaign_kpis (
  campaign_id     text NOT NULL REFERENCES campaigns(id),
  code            text NOT NULL,
  label           text NOT NULL,
  channel         text,
  target          bigint NOT NULL,
  unit            text NOT NULL CHECK (unit IN ('people', 'orders', 'units', 'kop', 'bp')),
  measured_by     text NOT NULL,
  PRIMARY KEY (campaign_id, code)
);

-- ---------------------------------------------------------------------------------------------
-- Batch & Quality watch

-- Every status a batch entered, once: statuses only move forward, so (batch, status) is unique
-- and a re-run of the same day cannot record a transition twice.
CREATE TABLE batch_status_history (
  id          bigserial PRIMARY KEY,
  batch_id    bigint NOT NULL REFERENCES batches(id),
  from_status text NOT NULL,
  to_status   text NOT NULL CHECK (to_status IN ('partly_sold', 'sold_out', 'expired')),
  watch_date  date NOT NULL,
  reason      text NOT NULL,
  workflow_id text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (batch_id, to_status)
);
CREATE TRIGGER batch_status_history_append_only BEFORE UPDATE OR DELETE ON batch_status_history
  FOR EACH ROW EXECUTE FUNCTION forbid_rewrite();

-- Quality incidents and complaints submitted by operators (CLI) through the incident workflow.
CREATE TABLE quality_incidents (
  id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
  workflow_id text NOT NULL UNIQUE,
  kind        text NOT NULL CHECK (kind IN ('incident', 'complaint')),
  category    text NOT NULL CHECK (category IN ('spoilage', 'foreign_object', 'allergen', 'temperature', 'labeling', 'packaging', 'taste', 'other')),
  severity    text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  description text NOT NULL CHECK (length(description) BETWEEN 10 AND 2000),
  batch_id    bigint REFERENCES batches(id),
  product_id  bigint NOT NULL REFERENCES products(id),
  order_id    text REFERENCES orders(id),
  buyer_id    bigint REFERENCES buyers(id),
  reported_by text NOT NULL,
  occurred_on date NOT NULL,
  actions     text[] NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quality_incidents_batch_idx ON quality_incidents (batch_id);

-- Alerts and the action code proposed; one per batch, day and kind.
CREATE TABLE quality_alerts (
  id          bigserial PRIMARY KEY,
  batch_id    bigint NOT NULL REFERENCES batches(id),
  watch_date  date NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('expiry_soon', 'expired', 'quality_incident')),
  -- The expiry band (days ahead) that raised it: one alert per band, escalating as expiry nears.
  band_days   integer,
  severity    text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  days_left   integer,
  qty         integer NOT NULL CHECK (qty >= 0),
  proposal    text NOT NULL CHECK (proposal IN ('markdown', 'transfer', 'write_off', 'inspect', 'withdraw')),
  markdown_bp integer CHECK (markdown_bp BETWEEN 1 AND 9000),
  markdown_price_kop bigint CHECK (markdown_price_kop > 0),
  from_hub_id bigint REFERENCES hubs(id),
  to_hub_id   bigint REFERENCES hubs(id),
  incident_id text REFERENCES quality_incidents(id),
  note        text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
  note_source text NOT NULL CHECK (note_source IN ('llm', 'fallback')),
  workflow_id text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (batch_id, watch_date, kind),
  CHECK ((proposal = 'markdown') = (markdown_bp IS NOT NULL)),
  CHECK ((proposal = 'transfer') = (to_hub_id IS NOT NULL))
);
CREATE INDEX quality_alerts_date_idx ON quality_alerts (watch_date DESC);

-- Down Migration
DROP TABLE quality_alerts;
DROP TABLE quality_incidents;
DROP TABLE batch_status_history;
DROP TABLE campaign_kpis;
DROP TABLE promo_codes;
DROP TABLE campaign_prices;
DROP FUNCTION campaign_price_matches_cost();
DROP TABLE campaign_pages;
DROP TABLE campaign_content;
DROP TABLE campaign_products;
DROP TABLE campaigns;
