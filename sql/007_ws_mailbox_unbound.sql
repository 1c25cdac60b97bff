-- pushsync schema, version 7: the WebSocket mailbox without its foreign key.
--
-- Every letter stored checked its installation through the foreign key: a
-- trigger call per letter that locks the installation's row (FOR KEY SHARE
-- writes the row and its WAL), 1.3 ms of a 200-letter store and 20,000
-- installation rows written by each broadcast to 20,000 devices. The store
-- already joins the installations (a letter for an installation deleted
-- meanwhile is dropped), and deleting an installation now deletes its
-- letters in the same transaction; a letter stored by a transaction that
-- raced with that delete expires (delivery.expiration) unread.
DO $fk$
DECLARE c text;
BEGIN
  FOR c IN SELECT conname FROM pg_constraint
            WHERE conrelid = $t${{schema}}.ws_mailbox$t$::regclass AND contype = 'f'
  LOOP
    EXECUTE format($f$ALTER TABLE {{schema}}.ws_mailbox DROP CONSTRAINT %I$f$, c);
  END LOOP;
END $fk$;
