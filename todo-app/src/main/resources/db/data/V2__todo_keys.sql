-- The key a page sends with each create (random, made by the page), so that a create sent again after an answer that
-- never came (a timeout: the first request may still have been applied) is answered with the todo it already made
-- instead of adding a second one. Unique per user; rows made before this migration, and creates sent without a key,
-- have none.
ALTER TABLE todos ADD COLUMN client_key TEXT;
CREATE UNIQUE INDEX todos_user_key ON todos (user_id, client_key) WHERE client_key IS NOT NULL;
