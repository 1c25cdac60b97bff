-- pushsync schema, version 1. {{schema}} is the quoted database.schema.

-- The outbox: one row per captured change; deleted once every push it caused
-- is accepted or given up. due_at is both the lease (claimed rows move it
-- forward) and the retry time, so claiming needs one condition.
CREATE TABLE {{schema}}.changes (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tbl         text        NOT NULL,
  op          text        NOT NULL,
  row_id      text        NOT NULL,
  old_cols    jsonb,
  new_cols    jsonb,
  originator  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  due_at      timestamptz NOT NULL DEFAULT now(),
  attempts    integer     NOT NULL DEFAULT 0
);

-- "Is a sidecar asleep on LISTEN?" Triggers only NOTIFY when it is, so busy
-- periods cost writers no NOTIFY (which serializes commits). Unlogged: after
-- a crash it is empty, which reads as "nobody asleep"; sidecars poll anyway.
CREATE UNLOGGED TABLE {{schema}}.listener (
  one    boolean PRIMARY KEY DEFAULT true CHECK (one),
  asleep boolean NOT NULL DEFAULT false
);

CREATE TABLE {{schema}}.installations (
  installation_id text        PRIMARY KEY,
  platform        text        NOT NULL CHECK (platform IN ('apns', 'fcm', 'ws')),
  push_channel    text        NOT NULL,
  tags            text[]      NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  disabled_at     timestamptz,
  last_error      text
);
CREATE INDEX installations_tags ON {{schema}}.installations USING gin (tags);

CREATE TABLE {{schema}}.dead_letters (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  change_id       bigint      NOT NULL,
  tbl             text        NOT NULL,
  op              text        NOT NULL,
  row_id          text        NOT NULL,
  installation_id text,
  platform        text,
  reason          text        NOT NULL,
  payload         jsonb,
  changed_at      timestamptz NOT NULL,
  failed_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE {{schema}}.feedback (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  installation_id text        NOT NULL,
  platform        text        NOT NULL,
  push_channel    text        NOT NULL,
  reason          text        NOT NULL,
  reported_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per generated capture trigger, with the DDL that made it, so that
-- migrate changes only what differs and drops triggers of removed tables.
CREATE TABLE {{schema}}.capture_triggers (
  table_schema  text NOT NULL,
  table_name    text NOT NULL,
  function_name text NOT NULL,
  ddl           text NOT NULL,
  PRIMARY KEY (table_schema, table_name)
);

-- Called by the app inside its write transaction so that the writer's own
-- device is not notified; same as SET LOCAL pushsync.originator = '...'.
CREATE FUNCTION {{schema}}.set_originator(installation_id text) RETURNS void
LANGUAGE sql AS $$ SELECT set_config('pushsync.originator', coalesce(installation_id, ''), true) $$;
