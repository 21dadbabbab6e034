-- Job ids are never reused. With a plain INTEGER PRIMARY KEY, SQLite gives a new row the largest id in the table
-- plus one, so ids started again at 1 whenever the queue drained: the next job to die then had the id of a dead job
-- still kept in dead_jobs, the move failed on the primary key, and the reaper, which moves expired jobs the same
-- way, failed on every run after it. AUTOINCREMENT needs the table rebuilt; the first new id is above every id in
-- jobs and in dead_jobs.
CREATE TABLE jobs_v2 (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO jobs_v2 (id, queue, priority, handler, payload, run_at, attempts, max_attempts, claimed_by,
                     lease_expires_at, last_error, created_at)
SELECT id, queue, priority, handler, payload, run_at, attempts, max_attempts, claimed_by,
       lease_expires_at, last_error, created_at
  FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_v2 RENAME TO jobs;
CREATE INDEX jobs_ready ON jobs (priority DESC, run_at, id) WHERE claimed_by IS NULL;
CREATE INDEX jobs_due ON jobs (run_at) WHERE claimed_by IS NULL;
CREATE INDEX jobs_claimed ON jobs (claimed_by, lease_expires_at) WHERE claimed_by IS NOT NULL;
DELETE FROM sqlite_sequence WHERE name IN ('jobs', 'jobs_v2');
INSERT INTO sqlite_sequence (name, seq)
VALUES ('jobs', max(coalesce((SELECT max(id) FROM jobs), 0), coalesce((SELECT max(id) FROM dead_jobs), 0)));
