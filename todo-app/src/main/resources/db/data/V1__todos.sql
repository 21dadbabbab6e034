-- Todos, each owned by one session user (a random id from the signed cookie). Times are epoch milliseconds.
-- The list order is the creation order: id is AUTOINCREMENT, so ids are never reused (a deleted todo's id
-- never comes back, which lets browsers ignore late fragments of deleted todos).
-- version is the owner's list version (todo_lists.version) of the last change to the row.
CREATE TABLE todos (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id    TEXT    NOT NULL,
  title      TEXT    NOT NULL,
  completed  INTEGER NOT NULL DEFAULT 0 CHECK (completed IN (0, 1)),
  version    INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
-- Every read and write is scoped by user_id, in list order.
CREATE INDEX todos_user ON todos (user_id, id);

-- One row per user who ever changed a todo: a counter bumped by every change, so that every rendered
-- fragment carries the version it shows and browsers drop fragments older than what they already show.
CREATE TABLE todo_lists (
  user_id TEXT    PRIMARY KEY,
  version INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
