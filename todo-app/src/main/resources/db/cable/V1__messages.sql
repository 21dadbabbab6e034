-- Messages published to a channel, kept for app.cable.retention so other processes can catch up after a
-- pause. AUTOINCREMENT: ids are never reused after trimming, so "id > last seen" never skips a message.
-- origin is the publishing process's cable id (it delivered the message to its own subscribers already).
CREATE TABLE messages (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  channel    TEXT    NOT NULL,
  payload    TEXT    NOT NULL,
  origin     TEXT    NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_created_at ON messages (created_at);
