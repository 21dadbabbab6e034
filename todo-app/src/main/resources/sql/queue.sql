-- Named statements of the job queue (queue.db). Parameters are numbered; times are epoch milliseconds.

-- name: enqueue
INSERT INTO jobs (queue, priority, handler, payload, run_at, max_attempts, created_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
RETURNING id;

-- name: claim
-- One statement claims a batch: highest queue priority first, then due time, then age.
UPDATE jobs
   SET claimed_by = ?1, lease_expires_at = ?2 + ?3, attempts = attempts + 1
 WHERE id IN (SELECT id FROM jobs
               WHERE claimed_by IS NULL AND run_at <= ?2
               ORDER BY priority DESC, run_at, id
               LIMIT ?4)
RETURNING id, queue, handler, payload, attempts, max_attempts;

-- name: complete
DELETE FROM jobs WHERE id = ?1 AND claimed_by = ?2;

-- name: retry
UPDATE jobs
   SET claimed_by = NULL, lease_expires_at = NULL, run_at = ?3, last_error = ?4
 WHERE id = ?1 AND claimed_by = ?2;

-- name: bury
INSERT INTO dead_jobs (id, queue, handler, payload, attempts, last_error, created_at, died_at)
SELECT id, queue, handler, payload, attempts, ?3, created_at, ?4
  FROM jobs WHERE id = ?1 AND claimed_by = ?2;

-- name: heartbeat
UPDATE jobs SET lease_expires_at = ?2 WHERE claimed_by = ?1;

-- name: release
-- Graceful shutdown: jobs still claimed by this process go back to the queue; the attempt did not count.
UPDATE jobs
   SET claimed_by = NULL, lease_expires_at = NULL, attempts = max(attempts - 1, 0)
 WHERE claimed_by = ?1;

-- name: bury_expired
INSERT INTO dead_jobs (id, queue, handler, payload, attempts, last_error, created_at, died_at)
SELECT id, queue, handler, payload, attempts,
       'lease expired: process ' || claimed_by || ' stopped without finishing the job', created_at, ?1
  FROM jobs
 WHERE claimed_by IS NOT NULL AND lease_expires_at < ?1 AND attempts >= max_attempts;

-- name: delete_buried_expired
DELETE FROM jobs
 WHERE claimed_by IS NOT NULL AND lease_expires_at < ?1 AND attempts >= max_attempts;

-- name: requeue_expired
UPDATE jobs
   SET claimed_by = NULL, lease_expires_at = NULL,
       last_error = 'lease expired: process ' || claimed_by || ' stopped without finishing the job'
 WHERE claimed_by IS NOT NULL AND lease_expires_at < ?1;

-- name: collect_dead
DELETE FROM dead_jobs WHERE id IN (SELECT id FROM dead_jobs WHERE died_at < ?1 LIMIT ?2);

-- name: count_ready
SELECT count(*) FROM jobs WHERE claimed_by IS NULL AND run_at <= ?1;

-- name: count_scheduled
SELECT count(*) FROM jobs WHERE claimed_by IS NULL AND run_at > ?1;

-- name: count_claimed
SELECT count(*) FROM jobs WHERE claimed_by IS NOT NULL;

-- name: count_dead
SELECT count(*) FROM dead_jobs;

-- name: list_dead
SELECT id, queue, handler, payload, attempts, last_error, created_at, died_at
  FROM dead_jobs ORDER BY died_at DESC, id DESC LIMIT ?1;

-- name: exists_ready
SELECT EXISTS (SELECT 1 FROM jobs WHERE claimed_by IS NULL AND run_at <= ?1);
