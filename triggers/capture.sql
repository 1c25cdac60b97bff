-- Capture trigger for {{relation}}; rendered by pushsync for each table.
CREATE OR REPLACE FUNCTION {{function}}() RETURNS trigger
LANGUAGE plpgsql AS $pushsync$
DECLARE
  r record;
BEGIN
  IF TG_OP = 'UPDATE' AND {{unchanged}} THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
  INSERT INTO {{schema}}.changes (tbl, op, row_id, old_cols, new_cols, originator)
  VALUES ({{table_key}}, lower(TG_OP), {{row_id}},
          CASE WHEN TG_OP <> 'INSERT' THEN {{old_cols}} END,
          CASE WHEN TG_OP <> 'DELETE' THEN {{new_cols}} END,
          nullif(current_setting('pushsync.originator', true), ''));
  IF (SELECT asleep FROM {{schema}}.listener) THEN
    PERFORM pg_notify({{channel}}, '');
  END IF;
  RETURN NULL;
END
$pushsync$;
DROP TRIGGER IF EXISTS pushsync_capture ON {{relation}};
CREATE TRIGGER pushsync_capture AFTER {{events}} ON {{relation}}
  FOR EACH ROW EXECUTE FUNCTION {{function}}();
