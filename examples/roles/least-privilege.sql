-- Least privilege for pushsync: three roles, none a superuser.
--
--   app_owner         owns the app's tables. It (or a DBA) reviews
--                     `pushsync sql` and runs `pushsync migrate`, which creates the
--                     pushsync schema and one trigger per configured table.
--                     Then it runs this file (psql -f), once, and again after
--                     a migration that adds tables to the pushsync schema.
--   pushsync_runtime  the sidecar at run time, with `database.migrate: manual`:
--                     reads and writes its own schema, creates nothing.
--   app_writer        the app's role that writes the configured tables: the
--                     capture trigger runs as the writer, so it records changes.
--
-- Rename the roles (and the schema, if database.schema is not "pushsync").
-- tests/integration/deployment_test.cpp runs the sidecar as these roles
-- with exactly these grants.

CREATE ROLE pushsync_runtime LOGIN;  -- add PASSWORD '...' or use your auth method

-- The sidecar's schema: its tables, nothing more. (CONNECT on the database
-- is PUBLIC's by default; grant it too if you revoked that.)
GRANT USAGE ON SCHEMA pushsync TO pushsync_runtime;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pushsync TO pushsync_runtime;
-- The capture log is emptied with TRUNCATE once it is all read.
GRANT TRUNCATE ON pushsync.events TO pushsync_runtime;

-- tags_sql runs as pushsync_runtime: SELECT on the tables it reads, here the
-- todo example's list_members. Without tags_sql, nothing in the app's schemas.
GRANT USAGE ON SCHEMA public TO pushsync_runtime;
GRANT SELECT ON public.list_members TO pushsync_runtime;

-- Writers of the configured tables: their trigger appends to the outbox
-- and wakes a sleeping sidecar.
GRANT USAGE ON SCHEMA pushsync TO app_writer;
GRANT INSERT ON pushsync.events TO app_writer;
GRANT SELECT, UPDATE ON pushsync.listener TO app_writer;
