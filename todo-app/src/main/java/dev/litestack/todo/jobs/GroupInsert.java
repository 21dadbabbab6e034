package dev.litestack.todo.jobs;

import dev.litestack.todo.sqlite.SqliteStore;
import dev.litestack.todo.sqlite.SqliteStoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit of job inserts into queue.db. Every caller queues its row and then takes the leader lock; the thread
 * that holds it inserts every row queued so far (its own and those of the threads waiting behind it) in one write
 * transaction and marks them done, so the threads that follow find their rows already committed and return at once.
 * Alone, a caller inserts its row in its own transaction as before; under load one {@code BEGIN IMMEDIATE ... COMMIT}
 * covers many requests. A caller returns only after the transaction holding its row committed (durable enqueue), and
 * if that transaction fails every caller in it gets the failure.
 */
final class GroupInsert {

    /** Most rows in one transaction. */
    static final int MAX_BATCH = 256;

    /** The values of one {@code enqueue} statement. */
    record Row(
            String queue, int priority, String handler, String payload, long runAt, int maxAttempts, long createdAt) {}

    private static final class Pending {
        private final Row row;
        private long id;
        private RuntimeException error;
        private boolean done;

        Pending(Row row) {
            this.row = row;
        }
    }

    private final SqliteStore store;
    private final ConcurrentLinkedQueue<Pending> waiting = new ConcurrentLinkedQueue<>();
    private final ReentrantLock leader = new ReentrantLock();

    GroupInsert(SqliteStore store) {
        this.store = store;
    }

    /** Inserts {@code row}, alone or together with concurrent callers' rows, and returns its job id once committed. */
    long insert(Row row) {
        Pending mine = new Pending(row);
        waiting.add(mine);
        leader.lock();
        try {
            // Fields of a Pending are written and read under the leader lock only.
            while (!mine.done) {
                flush();
            }
            if (mine.error != null) {
                throw new SqliteStoreException("job insert failed: " + mine.error.getMessage(), mine.error);
            }
            return mine.id;
        } finally {
            leader.unlock();
        }
    }

    private void flush() {
        List<Pending> batch = new ArrayList<>();
        Pending next;
        while (batch.size() < MAX_BATCH && (next = waiting.poll()) != null) {
            batch.add(next);
        }
        try {
            store.write(s -> {
                for (Pending p : batch) {
                    Row r = p.row;
                    p.id = s.queryLong(
                            "enqueue",
                            r.queue(),
                            r.priority(),
                            r.handler(),
                            r.payload(),
                            r.runAt(),
                            r.maxAttempts(),
                            r.createdAt());
                }
                return null;
            });
        } catch (Throwable e) {
            RuntimeException error =
                    e instanceof RuntimeException re ? re : new SqliteStoreException("job insert failed: " + e, e);
            for (Pending p : batch) {
                p.error = error;
            }
            if (e instanceof Error err) {
                throw err;
            }
        } finally {
            for (Pending p : batch) {
                p.done = true;
            }
        }
    }
}
