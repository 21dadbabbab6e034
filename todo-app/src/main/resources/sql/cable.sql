-- Named statements of pub/sub (cable.db). Times are epoch milliseconds.

-- name: insert
INSERT INTO messages (channel, payload, origin, created_at) VALUES (?1, ?2, ?3, ?4);

-- name: since
-- this process's own messages (origin ?3) come without their payload: SQLite then never reads it
SELECT id, channel, CASE WHEN origin = ?3 THEN '' ELSE payload END, origin FROM messages WHERE id > ?1 ORDER BY id LIMIT ?2;

-- name: last_id
SELECT coalesce(max(id), (SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0) FROM messages;

-- name: trim
DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE created_at < ?1 ORDER BY id LIMIT ?2);

-- name: trim_to
DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE id <= ?1 ORDER BY id LIMIT ?2);

-- name: count
SELECT count(*) FROM messages;
