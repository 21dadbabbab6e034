-- One row per cache key. value is opaque bytes (counters are stored as their decimal text).
-- expires_at and last_used are Unix epoch milliseconds; last_used is refreshed lazily, in batches.
CREATE TABLE entries (
  key        TEXT    PRIMARY KEY,
  value      BLOB    NOT NULL,
  expires_at INTEGER NOT NULL,
  last_used  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX entries_expires_at ON entries (expires_at);
CREATE INDEX entries_last_used ON entries (last_used);
