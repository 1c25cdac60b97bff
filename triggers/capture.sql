-- Capture trigger for {{relation}}; rendered by pushsync for each table.
-- One statement per row: the outbox insert also reads the listener flag.
-- NOTIFY is paid once per sleep: the first writer to find a sidecar asleep
-- clears the flag and wakes it; writers that find the flag locked by that
-- one skip it (SKIP LOCKED: nobody waits), and all later ones see it clear.
CREATE OR REPLACE FUNCTION {{function}}() RETURNS trigger
LANGUAGE plpgsql AS $pushsync$
DECLARE
  sleeping boolean;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO {{schema}}.changes (tbl, op, row_id, new_cols, originator)
    VALUES ({{table_key}}, 'insert', {{new_row_id}}, {{new_cols}}, {{originator}})
    RETURNING (SELECT asleep FROM {{schema}}.listener) INTO sleeping;
  ELSIF TG_OP = 'UPDATE' AND {{old_row_id}} IS DISTINCT FROM {{new_row_id}} THEN
    -- The key changed: to a device, the old record is gone and a new one exists.
    INSERT INTO {{schema}}.changes (tbl, op, row_id, old_cols, originator)
    VALUES ({{table_key}}, 'delete', {{old_row_id}}, {{old_cols}}, {{originator}});
    INSERT INTO {{schema}}.changes (tbl, op, row_id, new_cols, originator)
    VALUES ({{table_key}}, 'insert', {{new_row_id}}, {{new_cols}}, {{originator}})
    RETURNING (SELECT asleep FROM {{schema}}.listener) INTO sleeping;
  ELSIF TG_OP = 'UPDATE' THEN
    IF {{unchanged}} THEN
      RETURN NULL;
    END IF;
    INSERT INTO {{schema}}.changes (tbl, op, row_id, old_cols, new_cols, originator)
    VALUES ({{table_key}}, 'update', {{new_row_id}}, {{old_cols}}, {{new_cols}}, {{originator}})
    RETURNING (SELECT asleep FROM {{schema}}.listener) INTO sleeping;
  ELSE
    INSERT INTO {{schema}}.changes (tbl, op, row_id, old_cols, originator)
    VALUES ({{table_key}}, 'delete', {{old_row_id}}, {{old_cols}}, {{originator}})
    RETURNING (SELECT asleep FROM {{schema}}.listener) INTO sleeping;
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
CREATE TRIGGER pushsync_capture AFTER {{events}} ON {{relation}}
  FOR EACH ROW EXECUTE FUNCTION {{function}}();
