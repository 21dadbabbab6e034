package dev.litestack.todo.sqlite;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code PRAGMA wal_checkpoint(PASSIVE)} for one store on its own thread and connection, so that commits do
 * not pay for checkpoints. SQLite's auto-checkpoint runs inside the COMMIT that crosses {@code wal_autocheckpoint}
 * pages, on the writer connection and under the store's write lock: it copies the WAL into the database file and
 * syncs both, which stalls every write queued behind it (10-60 ms per checkpoint in the web benchmark). A PASSIVE
 * checkpoint on another connection needs no write lock: commits keep appending to the WAL meanwhile, and the next
 * write restarts the WAL once everything was copied.
 * <p>
 * The store signals {@link #committed()} after each commit; a checkpoint runs once {@code every} commits have
 * accumulated, or at the latest one second after the last commit. The writer connection keeps an auto-checkpoint as
 * a backstop at four times the configured threshold, so the WAL stays bounded even if this thread falls behind.
 */
final class Checkpointer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Connection connection;
    private final String file;
    private final int every;
    private final AtomicInteger pending = new AtomicInteger();
    private final Object signal = new Object();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param connection a connection of its own (not a reader: readers are query-only)
     * @param every      commits after which a checkpoint runs without waiting for the idle second
     */
    Checkpointer(Connection connection, String file, int every) {
        this.connection = connection;
        this.file = file;
        this.every = Math.max(1, every);
        this.thread = new Thread(this::loop, "sqlite-checkpoint-" + file);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Called after each commit of the store's writer. */
    void committed() {
        if (pending.incrementAndGet() == every) {
            synchronized (signal) {
                signal.notifyAll();
            }
        }
    }

    private void loop() {
        while (running) {
            try {
                synchronized (signal) {
                    if (running && pending.get() < every) {
                        signal.wait(TimeUnit.NANOSECONDS.toMillis(IDLE_NANOS));
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
            if (running && pending.getAndSet(0) > 0) {
                checkpoint();
            }
        }
    }

    /** One PASSIVE checkpoint; returns the WAL frames still not copied (a reader may hold older ones). */
    int checkpoint() {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
            return rs.next() ? Math.max(0, rs.getInt(2) - rs.getInt(3)) : 0;
        } catch (SQLException e) {
            if (running) {
                LOG.warn(
                        "background checkpoint of {} failed (the next one retries; commits still checkpoint past "
                                + "the backstop): {}",
                        file,
                        e.getMessage());
            }
            return 0;
        }
    }

    /** Stops the thread (waiting for a running checkpoint) and closes the connection. */
    @Override
    public void close() {
        running = false;
        synchronized (signal) {
            signal.notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.debug("closing the checkpoint connection of {} failed: {}", file, e.getMessage());
        }
    }
}
