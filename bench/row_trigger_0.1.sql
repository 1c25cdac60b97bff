-- The capture trigger of pushsync 0.1 (one outbox row per changed row), as
-- `pushsync sql` generated it for a table with watch: [status, owner] and
-- tags: ["user:{owner}"]. The benchmarks install it on {{table}} to compare
-- today's statement triggers with it side by side. Not used by pushsync.
CREATE FUNCTION {{table}}_row_capture() RETURNS trigger LANGUAGE plpgsql AS $pushsync$
DECLARE
  sleeping boolean;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO pushsync.changes (tbl, op, row_id, new_cols, originator)
    VALUES ('public.{{table}}', 'insert', coalesce(NEW."id"::text, ''), jsonb_build_object('owner', NEW."owner"), nullif(current_setting('pushsync.originator', true), ''))
    RETURNING (SELECT asleep FROM pushsync.listener) INTO sleeping;
  ELSIF TG_OP = 'UPDATE' AND coalesce(OLD."id"::text, '') IS DISTINCT FROM coalesce(NEW."id"::text, '') THEN
    INSERT INTO pushsync.changes (tbl, op, row_id, old_cols, originator)
    VALUES ('public.{{table}}', 'delete', coalesce(OLD."id"::text, ''), jsonb_build_object('owner', OLD."owner"), nullif(current_setting('pushsync.originator', true), ''));
    INSERT INTO pushsync.changes (tbl, op, row_id, new_cols, originator)
    VALUES ('public.{{table}}', 'insert', coalesce(NEW."id"::text, ''), jsonb_build_object('owner', NEW."owner"), nullif(current_setting('pushsync.originator', true), ''))
    RETURNING (SELECT asleep FROM pushsync.listener) INTO sleeping;
  ELSIF TG_OP = 'UPDATE' THEN
    IF ROW(OLD."status"::text, OLD."owner"::text) IS NOT DISTINCT FROM ROW(NEW."status"::text, NEW."owner"::text) THEN
      RETURN NULL;
    END IF;
    INSERT INTO pushsync.changes (tbl, op, row_id, old_cols, new_cols, originator)
    VALUES ('public.{{table}}', 'update', coalesce(NEW."id"::text, ''), jsonb_build_object('owner', OLD."owner"), jsonb_build_object('owner', NEW."owner"), nullif(current_setting('pushsync.originator', true), ''))
    RETURNING (SELECT asleep FROM pushsync.listener) INTO sleeping;
  ELSE
    INSERT INTO pushsync.changes (tbl, op, row_id, old_cols, originator)
    VALUES ('public.{{table}}', 'delete', coalesce(OLD."id"::text, ''), jsonb_build_object('owner', OLD."owner"), nullif(current_setting('pushsync.originator', true), ''))
    RETURNING (SELECT asleep FROM pushsync.listener) INTO sleeping;
  END IF;
  IF sleeping THEN
    UPDATE pushsync.listener SET asleep = false
     WHERE one IN (SELECT one FROM pushsync.listener WHERE asleep FOR UPDATE SKIP LOCKED);
    IF FOUND THEN
      PERFORM pg_notify('pushsync', '');
    END IF;
  END IF;
  RETURN NULL;
END
$pushsync$;
CREATE TRIGGER pushsync_capture AFTER INSERT OR UPDATE OR DELETE ON {{table}}
  FOR EACH ROW EXECUTE FUNCTION {{table}}_row_capture();
