package dev.litestack.todo.sqlite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * One SQLite file in WAL mode: a single writer connection guarded by a lock (so this process never competes
 * with itself for the write lock) and a small pool of read-only connections (opened on first use). Writes run in
 * {@code BEGIN IMMEDIATE} transactions; {@code SQLITE_BUSY} caused by another process is retried (SQLite's
 * busy_timeout first, then this class's retry loop up to busy-retry-timeout) and never reaches the caller as
 * such. Schema migrations run when the store opens. WAL checkpoints run on a background thread with a connection of
 * their own ({@link Checkpointer}), so a commit does not copy and sync the WAL while holding the write lock.
 */
public final class SqliteStore implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);

    private final String concern;
    private final StoreSettings settings;
    private final NamedStatements statements;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ThreadLocal<List<Runnable>> transaction = new ThreadLocal<>();
    /** Idle readers; a reader is opened only when a read finds none idle, up to {@code settings.readers()}. */
    private final BlockingQueue<Session> readers;
    /** Every reader opened so far (guarded by itself); close() closes them all. */
    private final List<Session> allReaders = new ArrayList<>();

    private Session writer;
    private Checkpointer checkpointer;
    private volatile boolean closed;

    private SqliteStore(String concern, StoreSettings settings) {
        this.concern = concern;
        this.settings = settings;
        this.statements = NamedStatements.load("sql/" + concern + ".sql");
        this.readers = new ArrayBlockingQueue<>(settings.readers());
    }

    /**
     * Opens (creating if needed) the file of {@code concern}, applies the pragmas, runs the migrations listed
     * in {@code db/<concern>/migrations.txt} and loads the named statements of {@code sql/<concern>.sql}.
     */
    public static SqliteStore open(String concern, StoreSettings settings) {
        SqliteStore store = new SqliteStore(concern, settings);
        try {
            store.connect();
            Migrator.migrate(store, concern, Migrator.load(concern));
            return store;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private void connect() {
        try {
            Path parent = settings.path().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new SqliteStoreException("cannot create folder for " + settings.path(), e);
        }
        writer = new Session(openConnection(false), statements);
        if (settings.walAutocheckpoint() > 0) {
            checkpointer = new Checkpointer(
                    openConnection(false), settings.path().getFileName().toString(), settings.walAutocheckpoint() / 4);
            checkpointer.start();
        }
        // Readers open on first use (openReader): four stores with up to 4 readers each would otherwise
        // open 16 connections, with their pragmas, before the app can serve its first page.
    }

    /**
     * Opens one more reader if fewer than {@code settings.readers()} are open, and returns it (not pooled
     * yet: the caller adds it back when done); null when the pool is full.
     */
    private Session openReader() {
        synchronized (allReaders) {
            if (allReaders.size() >= settings.readers()) {
                return null;
            }
            ensureOpen();
            Session reader = new Session(openConnection(true), statements);
            allReaders.add(reader);
            return reader;
        }
    }

    private Connection openConnection(boolean readOnly) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(
                (int) Math.min(Integer.MAX_VALUE, settings.busyTimeout().toMillis()));
        try {
            Connection c =
                    config.createConnection("jdbc:sqlite:" + settings.path().toAbsolutePath());
            Session s = new Session(c, statements);
            if (!readOnly) {
                String mode = s.pragma("PRAGMA journal_mode = WAL");
                if (!"wal".equalsIgnoreCase(mode)) {
                    throw new SqliteStoreException(
                            "cannot switch " + settings.path() + " to WAL, journal_mode is " + mode);
                }
                // Checkpoints run on the Checkpointer's thread; a commit checkpoints only past 4x the threshold.
                s.execute("PRAGMA wal_autocheckpoint = " + backstop(settings.walAutocheckpoint()));
                s.execute("PRAGMA journal_size_limit = " + settings.journalSizeLimit());
            }
            s.execute("PRAGMA synchronous = " + settings.synchronous());
            s.execute("PRAGMA mmap_size = " + settings.mmapSize());
            s.execute("PRAGMA cache_size = " + settings.cacheSize());
            s.execute("PRAGMA foreign_keys = ON");
            s.execute("PRAGMA temp_store = MEMORY");
            if (readOnly) {
                s.execute("PRAGMA query_only = 1");
            }
            return c;
        } catch (SQLException e) {
            throw new SqliteStoreException("cannot open " + settings.path() + ": " + e.getMessage(), e);
        }
    }

    /** The writer's own auto-checkpoint threshold: 0 stays 0 (off), else four times the background threshold. */
    static long backstop(int walAutocheckpoint) {
        return 4L * walAutocheckpoint;
    }

    /**
     * Runs {@code work} in a write transaction (BEGIN IMMEDIATE ... COMMIT) on the writer connection and returns
     * its result; rolls back if it throws. A write inside a write on the same thread joins the outer
     * transaction. Hooks registered with {@link #afterCommit} run after the commit, outside the lock; one that fails
     * is logged and does not fail the write, which is committed.
     */
    public <T> T write(SqlWork<T> work) {
        if (transaction.get() != null) {
            return run(writer, work, "write");
        }
        List<Runnable> hooks = new ArrayList<>();
        T result;
        writeLock.lock();
        try {
            ensureOpen();
            begin();
            transaction.set(hooks);
            try {
                result = work.run(writer);
                writer.execute("COMMIT");
            } catch (Throwable e) {
                rollback(e);
                throw failure("write", e);
            } finally {
                transaction.remove();
            }
        } finally {
            writeLock.unlock();
        }
        if (checkpointer != null) {
            checkpointer.committed();
        }
        for (Runnable hook : hooks) {
            try {
                hook.run();
            } catch (RuntimeException e) {
                // the transaction is committed: a caller told otherwise would answer an error and retry it (a
                // duplicate); a job enqueued here is lost, as in a crash between the commit and the enqueue
                LOG.warn("work after a commit to {} failed: {}", settings.path(), e.toString());
            }
        }
        return result;
    }

    /**
     * Runs {@code work} on a read-only connection (autocommit: each statement sees the latest commit). Inside a
     * write transaction on the same thread it runs on the writer, so it sees the transaction's own changes.
     */
    public <T> T read(SqlWork<T> work) {
        if (transaction.get() != null) {
            return run(writer, work, "read");
        }
        ensureOpen();
        Session reader = readers.poll();
        if (reader == null) {
            reader = openReader();
        }
        try {
            if (reader == null) {
                reader = readers.poll(settings.busyRetryTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SqliteStoreException("interrupted waiting for a reader of " + settings.path(), e);
        }
        if (reader == null) {
            throw new SqliteStoreException(
                    "no reader of " + settings.path() + " free within " + settings.busyRetryTimeout());
        }
        try {
            return run(reader, work, "read");
        } finally {
            readers.add(reader);
        }
    }

    /**
     * Runs {@code hook} after the write transaction open on this thread commits (not at all if it rolls back),
     * or at once when this thread has no open write transaction.
     */
    public void afterCommit(Runnable hook) {
        List<Runnable> hooks = transaction.get();
        if (hooks == null) {
            hook.run();
        } else {
            hooks.add(hook);
        }
    }

    /** Whether the calling thread is inside {@link #write}. */
    public boolean inTransaction() {
        return transaction.get() != null;
    }

    public Path path() {
        return settings.path();
    }

    public StoreSettings settings() {
        return settings;
    }

    private <T> T run(Session session, SqlWork<T> work, String what) {
        try {
            return work.run(session);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    private void begin() throws SqliteStoreException {
        long deadline = System.nanoTime() + settings.busyRetryTimeout().toNanos();
        long pauseMicros = 200;
        while (true) {
            try {
                writer.execute("BEGIN IMMEDIATE");
                return;
            } catch (SQLException e) {
                if (!isBusy(e) || System.nanoTime() > deadline) {
                    throw failure("begin", e);
                }
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(pauseMicros));
                pauseMicros = Math.min(50_000, pauseMicros * 2);
            }
        }
    }

    static boolean isBusy(SQLException e) {
        if (e instanceof SQLiteException se) {
            SQLiteErrorCode code = se.getResultCode();
            return code != null && (code.code & 0xff) == SQLiteErrorCode.SQLITE_BUSY.code;
        }
        return false;
    }

    private void rollback(Throwable cause) {
        try {
            writer.execute("ROLLBACK");
        } catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
                cause.addSuppressed(e);
            }
        }
    }

    private RuntimeException failure(String what, Throwable e) {
        if (e instanceof RuntimeException re) {
            return re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new SqliteStoreException(
                concern + " store (" + settings.path().getFileName() + ") " + what + " failed: " + e.getMessage(), e);
    }

    private void ensureOpen() {
        if (closed) {
            throw new SqliteStoreException(concern + " store " + settings.path() + " is closed");
        }
    }

    /** Closes every connection; waits for the running write to finish. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (checkpointer != null) {
            checkpointer.close();
        }
        writeLock.lock();
        try {
            if (writer != null) {
                try {
                    writer.execute("PRAGMA optimize");
                } catch (SQLException e) {
                    LOG.debug("PRAGMA optimize on {} failed: {}", settings.path(), e.getMessage());
                }
                writer.close();
            }
            synchronized (allReaders) {
                for (Session reader : allReaders) {
                    reader.close();
                }
            }
        } finally {
            writeLock.unlock();
        }
    }
}
