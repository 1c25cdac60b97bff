-- The example app: shared to-do lists. pushsync only needs to be told (in
-- pushsync.yaml) which user tags a row belongs to.
CREATE TABLE lists (
  id          serial PRIMARY KEY,
  name        text NOT NULL,
  owner_email text NOT NULL
);

CREATE TABLE list_members (
  list_id integer NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  email   text    NOT NULL,
  PRIMARY KEY (list_id, email)
);

CREATE TABLE todo_items (
  id          bigserial PRIMARY KEY,
  list_id     integer     NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  title       text        NOT NULL,
  done        boolean     NOT NULL DEFAULT false,
  owner_email text        NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
