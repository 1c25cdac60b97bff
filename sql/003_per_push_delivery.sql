-- pushsync schema, version 3: statement-level capture, fan-out in chunks,
-- and settlement per push instead of per change.

-- A statement that changed several rows is captured as one outbox row per
-- 1000 of them: the rows' ids, ops and captured columns in arrays, read a
-- slice at a time. A single-row statement keeps row_id, old_cols, new_cols.
-- cursor_row/cursor_after record how far a change's fan-out got: its rows
-- before cursor_row are done, and of row cursor_row the installations up to
-- cursor_after (in "C" order) got their push. A change is no longer retried
-- as a whole, so it has no attempts of its own.
ALTER TABLE {{schema}}.changes
  ADD COLUMN row_count    integer NOT NULL DEFAULT 1,
  ADD COLUMN row_ids      text[],
  ADD COLUMN ops          text[],
  ADD COLUMN olds         json[],   -- json, not jsonb: building 50,000 jsonb
  ADD COLUMN news         json[],   -- objects took a 50,000-row DELETE 2.5x longer
  ADD COLUMN cursor_row   integer NOT NULL DEFAULT 0,
  ADD COLUMN cursor_after text COLLATE "C",
  DROP COLUMN attempts;

-- lz4 compresses a 1000-row chunk several times faster than pglz, in the
-- writer's transaction. Builds without lz4 keep the default.
DO $lz4$ BEGIN
  ALTER TABLE {{schema}}.changes ALTER COLUMN row_ids SET COMPRESSION lz4, ALTER COLUMN ops SET COMPRESSION lz4,
    ALTER COLUMN olds SET COMPRESSION lz4, ALTER COLUMN news SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN NULL;
END $lz4$;

-- One push to one device that must be tried again (or waits for its
-- provider): its own attempts, backoff and Retry-After. At most one per
-- device and record: a newer change of the record replaces the payload
-- (record is "<table key>\n<row id>", or "#<change id>" for a direct push).
CREATE TABLE {{schema}}.deliveries (
  id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  installation_id text        NOT NULL,
  record          text        NOT NULL,
  change_id       bigint      NOT NULL,
  tbl             text        NOT NULL,
  op              text        NOT NULL,
  row_id          text        NOT NULL,
  push            jsonb       NOT NULL,
  changed_at      timestamptz NOT NULL,
  due_at          timestamptz NOT NULL DEFAULT now(),
  attempts        integer     NOT NULL DEFAULT 0,
  last_error      text,
  UNIQUE (installation_id, record)
);
CREATE INDEX deliveries_due ON {{schema}}.deliveries (due_at, id);

-- Tags as rows, so that a change's audience is read in installation id
-- order, a chunk at a time, from where the last chunk ended (a GIN index
-- can only hand back every match at once). Kept in step with
-- installations.tags by a trigger, so apps may still write that table.
CREATE TABLE {{schema}}.installation_tags (
  tag             text NOT NULL,
  installation_id text COLLATE "C" NOT NULL
                  REFERENCES {{schema}}.installations ON DELETE CASCADE ON UPDATE CASCADE,
  PRIMARY KEY (tag, installation_id)
);
CREATE INDEX installation_tags_installation ON {{schema}}.installation_tags (installation_id);

CREATE FUNCTION {{schema}}.sync_installation_tags() RETURNS trigger
LANGUAGE plpgsql AS $sync$
BEGIN
  DELETE FROM {{schema}}.installation_tags WHERE installation_id = NEW.installation_id;
  INSERT INTO {{schema}}.installation_tags (tag, installation_id)
  SELECT DISTINCT tag, NEW.installation_id FROM unnest(NEW.tags) AS tag WHERE tag IS NOT NULL;
  RETURN NULL;
END
$sync$;
CREATE TRIGGER installation_tags AFTER INSERT OR UPDATE OF tags ON {{schema}}.installations
  FOR EACH ROW EXECUTE FUNCTION {{schema}}.sync_installation_tags();

INSERT INTO {{schema}}.installation_tags (tag, installation_id)
SELECT DISTINCT tag, installation_id FROM {{schema}}.installations, unnest(tags) AS tag WHERE tag IS NOT NULL;
DROP INDEX {{schema}}.installations_tags;

-- A dead letter keeps the whole push and its record, so `pushsync
-- dead-letters retry` can send it again to its installation.
ALTER TABLE {{schema}}.dead_letters ADD COLUMN push jsonb, ADD COLUMN record text;
CREATE INDEX dead_letters_failed_at ON {{schema}}.dead_letters (failed_at, id);
