-- Named statements of the application data file (todos.db). ?1 is always the owner's user id: no statement
-- reads or changes a row of another user. Times are epoch milliseconds.

-- name: bump_version
INSERT INTO todo_lists (user_id, version) VALUES (?1, 1)
ON CONFLICT (user_id) DO UPDATE SET version = version + 1
RETURNING version;

-- name: count_todos
SELECT count(*) FROM todos WHERE user_id = ?1;

-- name: insert_todo
INSERT INTO todos (user_id, title, completed, version, created_at, updated_at, client_key)
VALUES (?1, ?2, 0, ?3, ?4, ?4, ?5)
RETURNING id;

-- name: find_todo_by_key
SELECT id FROM todos WHERE user_id = ?1 AND client_key = ?2;

-- name: find_todo
SELECT id, title, completed, version, client_key FROM todos WHERE user_id = ?1 AND id = ?2;

-- name: list_todos
SELECT id, title, completed, version, client_key FROM todos WHERE user_id = ?1 ORDER BY id;

-- name: update_title
UPDATE todos SET title = ?3, version = ?4, updated_at = ?5 WHERE user_id = ?1 AND id = ?2;

-- name: update_completed
UPDATE todos SET completed = ?3, version = ?4, updated_at = ?5 WHERE user_id = ?1 AND id = ?2;

-- name: delete_todo
DELETE FROM todos WHERE user_id = ?1 AND id = ?2;

-- name: toggle_all
UPDATE todos SET completed = ?2, version = ?3, updated_at = ?4
 WHERE user_id = ?1 AND completed <> ?2
RETURNING id;

-- name: clear_completed
DELETE FROM todos WHERE user_id = ?1 AND completed = 1 RETURNING id;

-- name: summary
-- One statement, so the version and both counts come from the same snapshot.
SELECT coalesce((SELECT version FROM todo_lists WHERE user_id = ?1), 0),
       count(*) FILTER (WHERE completed = 0),
       count(*) FILTER (WHERE completed = 1)
  FROM todos WHERE user_id = ?1;

-- name: list_size
-- The number of the user's todos and the characters of their titles: what rendering the whole list will cost.
SELECT count(*), coalesce(sum(length(title)), 0) FROM todos WHERE user_id = ?1;
