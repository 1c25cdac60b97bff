-- pushsync schema, version 5: the capture log.
--
-- Capture triggers append to `events`, which nobody updates, locks or
-- deletes from row by row. A sidecar reads it in windows bounded by
-- transaction snapshots (PgQ's way): a window is the events whose writing
-- transaction committed after `drain.read_to` and before the snapshot the
-- sidecar takes, found by the writer's transaction id (txid) through one
-- index, so every committed change is read once whatever order
-- transactions commit in. Once everything in `events` is read, the sidecar
-- TRUNCATEs it: no DELETE, no dead tuples, no vacuum.
--
-- `changes` keeps what has to wait: a change held back by the coalesce
-- window, a fan-out that goes on in chunks, what `events` still held when
-- it was truncated, and what earlier versions captured.
CREATE TABLE {{schema}}.events (
  id          bigint      GENERATED ALWAYS AS IDENTITY,
  txid        xid8        NOT NULL DEFAULT pg_current_xact_id(),
  tbl         text        NOT NULL,
  op          text        NOT NULL,
  row_id      text        NOT NULL,
  old_cols    jsonb,
  new_cols    jsonb,
  originator  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  row_count   integer     NOT NULL DEFAULT 1,
  row_ids     text[],
  ops         text[],
  olds        json[],
  news        json[]
) WITH (autovacuum_enabled = false, toast.autovacuum_enabled = false);  -- truncated, never vacuumed
CREATE INDEX events_txid ON {{schema}}.events (txid, id);

DO $lz4$ BEGIN
  ALTER TABLE {{schema}}.events ALTER COLUMN row_ids SET COMPRESSION lz4, ALTER COLUMN ops SET COMPRESSION lz4,
    ALTER COLUMN olds SET COMPRESSION lz4, ALTER COLUMN news SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN NULL;
END $lz4$;

-- Change ids go on from those of `changes`: a newer change has a higher id.
DO $ids$ BEGIN
  EXECUTE $sql$ALTER TABLE {{schema}}.events ALTER COLUMN id RESTART WITH $sql$ ||
    (SELECT last_value + 1 FROM {{schema}}.changes_id_seq);
END $ids$;

-- Roles that could write to the outbox may append to the log; roles that
-- could delete from it (a sidecar's) may empty the log.
DO $grants$
DECLARE g record;
BEGIN
  FOR g IN SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END AS role,
                  CASE a.privilege_type WHEN 'DELETE' THEN 'TRUNCATE' ELSE a.privilege_type END AS privilege
             FROM pg_class c, aclexplode(c.relacl) a
            WHERE c.oid = $t${{schema}}.changes$t$::regclass AND a.grantee <> c.relowner
              AND a.privilege_type IN ('INSERT', 'SELECT', 'DELETE')
  LOOP
    EXECUTE format($f$GRANT %s ON {{schema}}.events TO %s$f$, g.privilege, g.role);
  END LOOP;
END $grants$;

-- How far the log is read: every event visible in read_to. While a window
-- is read in several batches, target is its snapshot and (after_txid,
-- after_id) the last event read of it. One reader at a time (an advisory
-- lock, taken for the claim's transaction), so it is one row.
CREATE TABLE {{schema}}.drain (
  one         boolean PRIMARY KEY DEFAULT true CHECK (one),
  read_to     pg_snapshot NOT NULL,
  target      pg_snapshot,
  after_txid  xid8,
  after_id    bigint
) WITH (fillfactor = 10);
-- Updated by every batch: a page kept nine tenths empty is pruned on every
-- access, so a read walks a few versions of the row, not a hundred.
INSERT INTO {{schema}}.drain (read_to) VALUES (pg_current_snapshot());

-- Events committed and not read yet (a window being read counts whole).
CREATE VIEW {{schema}}.unread_events AS
  SELECT e.* FROM {{schema}}.drain d, {{schema}}.events e
   WHERE (e.txid = ANY (ARRAY(SELECT pg_snapshot_xip(d.read_to))) OR e.txid >= pg_snapshot_xmax(d.read_to))
     AND NOT pg_visible_in_snapshot(e.txid, d.read_to);

-- What is waiting to be routed, for people and monitoring.
CREATE VIEW {{schema}}.outbox AS
  SELECT id, tbl, op, row_id, row_count, originator, created_at FROM {{schema}}.changes
  UNION ALL
  SELECT id, tbl, op, row_id, row_count, originator, created_at FROM {{schema}}.unread_events;
