-- pushsync schema, version 2: the HTTP API and the WebSocket channel.

-- A `ws` installation authenticates its WebSocket with a secret issued when it
-- registers; only its SHA-256 is kept.
ALTER TABLE {{schema}}.installations ADD COLUMN channel_secret_sha256 text;

-- Pushes accepted for `ws` devices, kept until the device acknowledges them
-- or they expire (delivery.expiration): a device that is offline gets them
-- when it reconnects, the way APNs and FCM hold pushes for offline devices.
CREATE TABLE {{schema}}.ws_mailbox (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  installation_id text        NOT NULL REFERENCES {{schema}}.installations ON DELETE CASCADE,
  frame           text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL
);
CREATE INDEX ws_mailbox_installation ON {{schema}}.ws_mailbox (installation_id, id);

-- Feedback is read by time ("what was rejected since my last look?").
CREATE INDEX feedback_reported_at ON {{schema}}.feedback (reported_at, id);

-- Devices now register one by one through the API. With GIN's fast update,
-- new tags wait in a pending list that every lookup scans until a vacuum
-- merges it: after 20k registrations the router's 500-tag lookup took 395 ms
-- instead of 8 ms. Inserts pay the merge instead.
ALTER INDEX {{schema}}.installations_tags SET (fastupdate = off);
