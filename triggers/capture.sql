-- Capture triggers for {{relation}}; rendered by pushsync for each table.
-- One trigger per statement, not per row. A one-row statement (the common
-- case) appends one plain row to the capture log ({{schema}}.events, read
-- by snapshot and emptied by TRUNCATE: sql/005_capture_log.sql); a
-- statement of several rows appends one row per 1000 of them (arrays of
-- ids and ops, and the captured columns as one JSON object of an array per
-- column: aggregating by column costs half of building an object per row).
-- An UPDATE pairs old and new rows by key: a row whose key changed is, to a
-- device, a delete of the old id and an insert of the new one. Rows whose
-- watched columns did not change are left out.
--
-- What a call costs is what it runs (bench/BENCHMARKS.md): the one-row path
-- reads the row into variables (one query, which also says whether there
-- are more) and only then opens the outbox for a plain INSERT ... VALUES,
-- so a statement that changed no row, or no watched column, never starts an
-- INSERT. No aggregate runs for one row (an aggregate's set-up alone costs
-- more than the INSERT's).
--
-- Waking a sleeping sidecar: a sidecar that goes to sleep on LISTEN holds the
-- advisory lock {{wake_lock}} exclusively. The writer asks for it shared,
-- without waiting: granted (nobody asleep, the usual case) costs a lock-table
-- entry until commit; refused means a sidecar sleeps, and the first writer
-- to find the listener flag set clears it and sends the one NOTIFY (NOTIFY
-- serializes commits, so it is paid once per sleep, not per write). A sidecar
-- takes the lock only once no writer holds it, and looks at the outbox after
-- taking it, so every change committed before is seen and every change
-- after wakes it.
CREATE OR REPLACE FUNCTION {{function}}() RETURNS trigger
LANGUAGE plpgsql AS $pushsync$
DECLARE
  one_id text;
  one_old jsonb;
  one_new jsonb;
  same_key boolean;
  changed boolean;
  several boolean;
  stored boolean;
  jit text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT {{new_row_id}}, {{new_cols}}, EXISTS (SELECT FROM pushsync_new OFFSET 1)
      INTO one_id, one_new, several
      FROM pushsync_new n LIMIT 1;
    IF NOT FOUND THEN
      RETURN NULL;
    ELSIF NOT several THEN
      INSERT INTO {{schema}}.events (tbl, op, row_id, new_cols, originator)
      VALUES ({{table_key}}, 'insert', one_id, one_new, {{originator}});
    END IF;
  ELSIF TG_OP = 'UPDATE' THEN
    SELECT {{new_row_id}}, {{old_cols}}, {{new_cols}}, {{same_key}}, {{changed}},
           EXISTS (SELECT FROM pushsync_new OFFSET 1)
      INTO one_id, one_old, one_new, same_key, changed, several
      FROM pushsync_old o, pushsync_new n LIMIT 1;
    IF NOT FOUND THEN
      RETURN NULL;
    ELSIF NOT several AND same_key IS NOT FALSE THEN
      IF NOT coalesce(same_key AND changed, false) THEN
        RETURN NULL;
      END IF;
      INSERT INTO {{schema}}.events (tbl, op, row_id, old_cols, new_cols, originator)
      VALUES ({{table_key}}, 'update', one_id, one_old, one_new, {{originator}});
    ELSE
      several := true;  -- one row whose key changed: a delete and an insert
    END IF;
  ELSE
    SELECT {{old_row_id}}, {{old_cols}}, EXISTS (SELECT FROM pushsync_old OFFSET 1)
      INTO one_id, one_old, several
      FROM pushsync_old o LIMIT 1;
    IF NOT FOUND THEN
      RETURN NULL;
    ELSIF NOT several THEN
      INSERT INTO {{schema}}.events (tbl, op, row_id, old_cols, originator)
      VALUES ({{table_key}}, 'delete', one_id, one_old, {{originator}});
    END IF;
  END IF;
  IF several THEN
    -- The planner cannot see how many rows a transition table holds; JIT
    -- compiling for its guess cost more than the statement (450 ms for a
    -- 50,000-row UPDATE). Off for this query only.
    jit := current_setting('jit');
    PERFORM set_config('jit', 'off', true);
    IF TG_OP = 'INSERT' THEN
      INSERT INTO {{schema}}.events (tbl, op, row_id, new_cols, row_count, row_ids, new_columns, originator)
      SELECT {{table_key}}, 'insert', CASE WHEN count(*) = 1 THEN min(row_id) ELSE '' END,
             CASE WHEN count(*) = 1 THEN {{new_one}} END, count(*),
             CASE WHEN count(*) > 1 THEN array_agg(row_id) END, CASE WHEN count(*) > 1 THEN {{new_columns}} END,
             {{originator}}
        FROM (SELECT {{new_row_id}} AS row_id{{new_items}}, (row_number() OVER () - 1) / 1000 AS part
                FROM pushsync_new n) r
       GROUP BY part ORDER BY part;
    ELSIF TG_OP = 'UPDATE' THEN
      INSERT INTO {{schema}}.events (tbl, op, row_id, old_cols, new_cols, row_count, row_ids, ops, old_columns,
                                      new_columns, originator)
      SELECT {{table_key}}, CASE WHEN count(*) = 1 THEN min(op) ELSE 'update' END,
             CASE WHEN count(*) = 1 THEN min(row_id) ELSE '' END,
             CASE WHEN count(*) = 1 AND min(op) <> 'insert' THEN {{old_one}} END,
             CASE WHEN count(*) = 1 AND min(op) <> 'delete' THEN {{new_one}} END, count(*),
             CASE WHEN count(*) > 1 THEN array_agg(row_id) END, CASE WHEN count(*) > 1 THEN array_agg(op) END,
             CASE WHEN count(*) > 1 THEN {{old_columns}} END, CASE WHEN count(*) > 1 THEN {{new_columns}} END,
             {{originator}}
        FROM (SELECT CASE WHEN o.pushsync_row IS NULL THEN 'insert'
                          WHEN n.pushsync_row IS NULL THEN 'delete' ELSE 'update' END AS op,
                     CASE WHEN n.pushsync_row IS NULL THEN {{old_row_id}} ELSE {{new_row_id}} END AS row_id
                     {{old_items}}{{new_items}}, (row_number() OVER () - 1) / 1000 AS part
                FROM (SELECT true AS pushsync_row, {{columns}} FROM pushsync_old) o
                FULL JOIN (SELECT true AS pushsync_row, {{columns}} FROM pushsync_new) n ON {{same_key}}
               WHERE o.pushsync_row IS NULL OR n.pushsync_row IS NULL OR {{changed}}) r
       GROUP BY part ORDER BY part;
    ELSE
      INSERT INTO {{schema}}.events (tbl, op, row_id, old_cols, row_count, row_ids, old_columns, originator)
      SELECT {{table_key}}, 'delete', CASE WHEN count(*) = 1 THEN min(row_id) ELSE '' END,
             CASE WHEN count(*) = 1 THEN {{old_one}} END, count(*),
             CASE WHEN count(*) > 1 THEN array_agg(row_id) END, CASE WHEN count(*) > 1 THEN {{old_columns}} END,
             {{originator}}
        FROM (SELECT {{old_row_id}} AS row_id{{old_items}}, (row_number() OVER () - 1) / 1000 AS part
                FROM pushsync_old o) r
       GROUP BY part ORDER BY part;
    END IF;
    stored := FOUND;
    PERFORM set_config('jit', jit, true);
    IF NOT stored THEN
      RETURN NULL;  -- an UPDATE of several rows, none of them in a watched column
    END IF;
  END IF;
  -- Refused: a sidecar sleeps. Writers after the first find the flag clear
  -- with a read (while a sidecar that cannot run, stopped or hung, keeps
  -- the lock, that read is all they pay, as every writer did before).
  IF NOT pg_try_advisory_xact_lock_shared({{wake_lock}}) THEN
    IF (SELECT asleep FROM {{schema}}.listener) THEN
      UPDATE {{schema}}.listener SET asleep = false
       WHERE one IN (SELECT one FROM {{schema}}.listener WHERE asleep FOR UPDATE SKIP LOCKED);
      IF FOUND THEN
        PERFORM pg_notify({{channel}}, '');
      END IF;
    END IF;
  END IF;
  RETURN NULL;
END
$pushsync$;
DROP TRIGGER IF EXISTS pushsync_capture ON {{relation}};
{{triggers}}
