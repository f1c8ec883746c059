-- Up Migration

-- One row per person's chat session (its workflow id); reopened when a closed session gets a new message.
CREATE TABLE conversation_sessions (
  id            text PRIMARY KEY CHECK (id ~ '^conversation-(buyer|consignor)-'),
  role          text NOT NULL CHECK (role IN ('buyer', 'consignor')),
  person_code   text NOT NULL,
  buyer_id      bigint REFERENCES buyers(id),
  consignor_id  bigint REFERENCES consignors(id),
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
  close_reason  text,
  messages      integer NOT NULL DEFAULT 0 CHECK (messages >= 0),
  started_at    timestamptz NOT NULL DEFAULT now(),
  last_message_at timestamptz,
  closed_at     timestamptz,
  CHECK ((role = 'buyer') = (buyer_id IS NOT NULL)),
  CHECK ((role = 'consignor') = (consignor_id IS NOT NULL))
);

-- Every message and answer, forever (short-term memory lives in Redis). message_key =
-- session + message id + role, so a retried activity or a resent message is stored once.
CREATE TABLE conversation_messages (
  id          bigserial PRIMARY KEY,
  session_id  text NOT NULL REFERENCES conversation_sessions(id),
  run_id      text NOT NULL,
  message_id  text NOT NULL,
  message_key text NOT NULL UNIQUE,
  turn        integer NOT NULL CHECK (turn > 0),
  role        text NOT NULL CHECK (role IN ('user', 'assistant')),
  body        text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
  intent      text CHECK (intent IN ('order_status', 'delivery_status', 'balance', 'product_question', 'complaint', 'other')),
  agent       text,
  order_id    text,
  facts       jsonb,
  used_fallback boolean,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_messages_session_idx ON conversation_messages (session_id, id);

-- Complaints and return reasons recorded by Customer Care from a conversation; one per message.
CREATE TABLE customer_complaints (
  id            bigserial PRIMARY KEY,
  complaint_key text NOT NULL UNIQUE,
  session_id    text NOT NULL REFERENCES conversation_sessions(id),
  buyer_id      bigint REFERENCES buyers(id),
  consignor_id  bigint REFERENCES consignors(id),
  order_id      text REFERENCES orders(id),
  body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved', 'rejected')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (buyer_id IS NOT NULL OR consignor_id IS NOT NULL)
);
CREATE INDEX customer_complaints_order_idx ON customer_complaints (order_id) WHERE order_id IS NOT NULL;

-- Down Migration
DROP TABLE customer_complaints;
DROP TABLE conversation_messages;
DROP TABLE conversation_sessions;
