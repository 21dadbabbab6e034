-- Jobs waiting, scheduled or running. A row is deleted when its job succeeds or moves to dead_jobs.
-- Times are Unix epoch milliseconds. claimed_by/lease_expires_at are set while a process runs the job.
CREATE TABLE jobs (
  id               INTEGER PRIMARY KEY,
  queue            TEXT    NOT NULL,
  priority         INTEGER NOT NULL,
  handler          TEXT    NOT NULL,
  payload          TEXT    NOT NULL,
  run_at           INTEGER NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL,
  claimed_by       TEXT,
  lease_expires_at INTEGER,
  last_error       TEXT,
  created_at       INTEGER NOT NULL
) STRICT;
-- Ready jobs in claim order (partial index: claimed rows are not in it).
CREATE INDEX jobs_ready ON jobs (priority DESC, run_at, id) WHERE claimed_by IS NULL;
-- Due-time lookups of unclaimed jobs (is anything due?).
CREATE INDEX jobs_due ON jobs (run_at) WHERE claimed_by IS NULL;
-- Claimed jobs by owner and by lease, for heartbeats, release and the reaper.
CREATE INDEX jobs_claimed ON jobs (claimed_by, lease_expires_at) WHERE claimed_by IS NOT NULL;

-- Jobs that used up their attempts; kept for app.queue.dead-retention, then collected.
CREATE TABLE dead_jobs (
  id         INTEGER PRIMARY KEY,
  queue      TEXT    NOT NULL,
  handler    TEXT    NOT NULL,
  payload    TEXT    NOT NULL,
  attempts   INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  died_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX dead_jobs_died_at ON dead_jobs (died_at);
