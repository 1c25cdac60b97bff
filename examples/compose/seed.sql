-- A list and two items for ann@example.com (runs after ../todo/schema.sql).
INSERT INTO lists (name, owner_email) VALUES ('groceries', 'ann@example.com');
INSERT INTO todo_items (list_id, title, owner_email) VALUES (1, 'milk', 'ann@example.com'), (1, 'bread', 'ann@example.com');
