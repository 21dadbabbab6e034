-- Named statements of the cache (cache.db). Times are epoch milliseconds.

-- name: get
SELECT value, expires_at FROM entries WHERE key = ?1;

-- name: set
INSERT INTO entries (key, value, expires_at, last_used) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at,
                                last_used = excluded.last_used;

-- name: delete
DELETE FROM entries WHERE key = ?1;

-- name: increment
-- Atomic: a missing or expired key starts from 0; the expiry of a live counter is kept.
INSERT INTO entries (key, value, expires_at, last_used)
VALUES (?1, CAST(CAST(?2 AS TEXT) AS BLOB), ?3, ?4)
ON CONFLICT (key) DO UPDATE SET
  value = CAST(CAST(CASE WHEN entries.expires_at <= ?4 THEN 0
                         ELSE CAST(CAST(entries.value AS TEXT) AS INTEGER) END + ?2 AS TEXT) AS BLOB),
  expires_at = CASE WHEN entries.expires_at <= ?4 THEN ?3 ELSE entries.expires_at END,
  last_used = ?4
RETURNING CAST(value AS TEXT);

-- name: touch
UPDATE entries SET last_used = ?2 WHERE key = ?1 AND last_used < ?2;

-- name: delete_expired
DELETE FROM entries WHERE key IN (SELECT key FROM entries WHERE expires_at <= ?1 LIMIT ?2);

-- name: size
SELECT count(*), coalesce(sum(length(CAST(key AS BLOB)) + length(value)), 0) FROM entries;

-- name: evict_lru
-- Least recently used first (last_used is refreshed from reads every touch-interval).
DELETE FROM entries WHERE key IN (SELECT key FROM entries ORDER BY last_used, key LIMIT ?1);

-- name: clear
DELETE FROM entries;

-- name: count_live
SELECT count(*) FROM entries WHERE expires_at > ?1;
