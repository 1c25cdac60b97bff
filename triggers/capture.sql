-- Capture triggers for {{relation}}; rendered by pushsync for each table.
-- One trigger per statement, not per row. A one-row statement (the common
-- case) writes one plain outbox row, as cheaply as a row trigger did. A statement of several rows writes one
-- outbox row per 1000 of them (arrays of ids, ops and captured columns).
-- An UPDATE pairs old and new rows by key: a row whose key changed is, to a
-- device, a delete of the old id and an insert of the new one. Rows whose
-- watched columns did not change are left out.
-- NOTIFY is paid once per sleep: the first writer to find a sidecar asleep
-- clears the flag and wakes it; writers that find the flag locked by that
-- one skip it (SKIP LOCKED: nobody waits), and all later ones see it clear.
CREATE OR REPLACE FUNCTION {{function}}() RETURNS trigger
LANGUAGE plpgsql AS $pushsync$
DECLARE
  sleeping boolean;
  jit text;
BEGIN
  -- A one-row statement, in one query (a second when nothing was written).
  -- (LIMIT 1: the planner's guess of a transition table's size is large,
  -- and a large guess gets a query JIT-compiled, for milliseconds.)
  IF TG_OP = 'INSERT' THEN
    INSERT INTO {{schema}}.changes (tbl, op, row_id, new_cols, originator)
    SELECT {{table_key}}, 'insert', {{new_row_id}}, {{new_cols}}, {{originator}}
      FROM (SELECT * FROM pushsync_new LIMIT 1) n
     WHERE (SELECT count(*) FROM (SELECT FROM pushsync_new LIMIT 2) r) = 1
    RETURNING (SELECT asleep FROM {{schema}}.listener) INTO sleeping;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO {{schema}}.changes (tbl, op, row_id, old_cols, new_cols, originator)
    SELECT {{table_key}}, 'update', {{new_row_id}}, {{old_cols}}, {{new_cols}}, {{originator}}
      FROM (SELECT * FROM pushsync_old LIMIT 1) o, (SELECT * FROM pushsync_new LIMIT 1) n
     WHERE (SELECT count(*) FROM (SELECT FROM pushsync_new LIMIT 2) r) = 1 AND {{same_key}} AND {{changed}}
    RETURNING (SELECT asleep FROM {{schema}}.listener) INTO sleeping;
  ELSE
    INSERT INTO {{schema}}.changes (tbl, op, row_id, old_cols, originator)
    SELECT {{table_key}}, 'delete', {{old_row_id}}, {{old_cols}}, {{originator}}
      FROM (SELECT * FROM pushsync_old LIMIT 1) o
     WHERE (SELECT count(*) FROM (SELECT FROM pushsync_old LIMIT 2) r) = 1
    RETURNING (SELECT asleep FROM {{schema}}.listener) INTO sleeping;
  END IF;
  IF NOT FOUND THEN
    -- No row, or one whose watched columns did not change: nothing to do.
    -- (Nested: a query naming a transition table the trigger lacks fails.)
    IF TG_OP = 'INSERT' THEN
      IF NOT EXISTS (SELECT FROM pushsync_new OFFSET 1) THEN
        RETURN NULL;
      END IF;
    ELSIF TG_OP = 'DELETE' THEN
      IF NOT EXISTS (SELECT FROM pushsync_old OFFSET 1) THEN
        RETURN NULL;
      END IF;
    ELSIF NOT EXISTS (SELECT FROM pushsync_new OFFSET 1)
          AND (SELECT {{same_key}} FROM (SELECT * FROM pushsync_old LIMIT 1) o, (SELECT * FROM pushsync_new LIMIT 1) n)
              IS NOT FALSE THEN
      RETURN NULL;
    END IF;
    -- Several rows (or one whose key changed).
    -- The planner cannot see how many rows a transition table holds; JIT
    -- compiling for its guess cost more than the statement (450 ms for a
    -- 50,000-row UPDATE). Off for this query only.
    jit := current_setting('jit');
    PERFORM set_config('jit', 'off', true);
    IF TG_OP = 'INSERT' THEN
      WITH stored AS (
        INSERT INTO {{schema}}.changes (tbl, op, row_id, new_cols, row_count, row_ids, news, originator)
        SELECT {{table_key}}, 'insert', CASE WHEN count(*) = 1 THEN min(row_id) ELSE '' END,
               CASE WHEN count(*) = 1 THEN (array_agg(new_cols))[1]::jsonb END, count(*),
               CASE WHEN count(*) > 1 THEN array_agg(row_id) END, CASE WHEN count(*) > 1 THEN array_agg(new_cols) END,
               {{originator}}
          FROM (SELECT {{new_row_id}} AS row_id, {{new_json}} AS new_cols,
                       (row_number() OVER () - 1) / 1000 AS part
                  FROM pushsync_new n) r
         GROUP BY part ORDER BY part
        RETURNING 1)
      SELECT (SELECT asleep FROM {{schema}}.listener) FROM stored LIMIT 1 INTO sleeping;
    ELSIF TG_OP = 'UPDATE' THEN
      WITH stored AS (
        INSERT INTO {{schema}}.changes (tbl, op, row_id, old_cols, new_cols, row_count, row_ids, ops, olds, news,
                                        originator)
        SELECT {{table_key}}, CASE WHEN count(*) = 1 THEN min(op) ELSE 'update' END,
               CASE WHEN count(*) = 1 THEN min(row_id) ELSE '' END,
               CASE WHEN count(*) = 1 THEN (array_agg(old_cols))[1]::jsonb END,
               CASE WHEN count(*) = 1 THEN (array_agg(new_cols))[1]::jsonb END, count(*),
               CASE WHEN count(*) > 1 THEN array_agg(row_id) END, CASE WHEN count(*) > 1 THEN array_agg(op) END,
               CASE WHEN count(*) > 1 THEN array_agg(old_cols) END, CASE WHEN count(*) > 1 THEN array_agg(new_cols) END,
               {{originator}}
          FROM (SELECT CASE WHEN o.pushsync_row IS NULL THEN 'insert'
                            WHEN n.pushsync_row IS NULL THEN 'delete' ELSE 'update' END AS op,
                       CASE WHEN n.pushsync_row IS NULL THEN {{old_row_id}} ELSE {{new_row_id}} END AS row_id,
                       CASE WHEN o.pushsync_row THEN {{old_json}} END AS old_cols,
                       CASE WHEN n.pushsync_row THEN {{new_json}} END AS new_cols,
                       (row_number() OVER () - 1) / 1000 AS part
                  FROM (SELECT true AS pushsync_row, {{columns}} FROM pushsync_old) o
                  FULL JOIN (SELECT true AS pushsync_row, {{columns}} FROM pushsync_new) n ON {{same_key}}
                 WHERE o.pushsync_row IS NULL OR n.pushsync_row IS NULL OR {{changed}}) r
         GROUP BY part ORDER BY part
        RETURNING 1)
      SELECT (SELECT asleep FROM {{schema}}.listener) FROM stored LIMIT 1 INTO sleeping;
    ELSE
      WITH stored AS (
        INSERT INTO {{schema}}.changes (tbl, op, row_id, old_cols, row_count, row_ids, olds, originator)
        SELECT {{table_key}}, 'delete', CASE WHEN count(*) = 1 THEN min(row_id) ELSE '' END,
               CASE WHEN count(*) = 1 THEN (array_agg(old_cols))[1]::jsonb END, count(*),
               CASE WHEN count(*) > 1 THEN array_agg(row_id) END, CASE WHEN count(*) > 1 THEN array_agg(old_cols) END,
               {{originator}}
          FROM (SELECT {{old_row_id}} AS row_id, {{old_json}} AS old_cols,
                       (row_number() OVER () - 1) / 1000 AS part
                  FROM pushsync_old o) r
         GROUP BY part ORDER BY part
        RETURNING 1)
      SELECT (SELECT asleep FROM {{schema}}.listener) FROM stored LIMIT 1 INTO sleeping;
    END IF;
    PERFORM set_config('jit', jit, true);
  END IF;
  IF sleeping THEN
    UPDATE {{schema}}.listener SET asleep = false
     WHERE one IN (SELECT one FROM {{schema}}.listener WHERE asleep FOR UPDATE SKIP LOCKED);
    IF FOUND THEN
      PERFORM pg_notify({{channel}}, '');
    END IF;
  END IF;
  RETURN NULL;
END
$pushsync$;
DROP TRIGGER IF EXISTS pushsync_capture ON {{relation}};
{{triggers}}
