package dev.litestack.todo.sqlite;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * How one SQLite file is opened. Immutable; built from a store's configuration record (validated there:
 * {@code app.data.*}, {@code app.queue.*}, {@code app.cache.*}, {@code app.cable.*} each have these keys, with
 * their own defaults) or from {@link #defaults(Path)} in tests and tools.
 *
 * @param path              the database file
 * @param synchronous       OFF, NORMAL, FULL or EXTRA
 * @param busyTimeout       SQLite's busy_timeout on every connection (backstop for other processes)
 * @param busyRetryTimeout  how long a write keeps retrying BEGIN IMMEDIATE on SQLITE_BUSY before failing
 * @param mmapSize          PRAGMA mmap_size in bytes
 * @param cacheSize         PRAGMA cache_size (pages if positive, KiB if negative)
 * @param journalSizeLimit  PRAGMA journal_size_limit in bytes
 * @param walAutocheckpoint PRAGMA wal_autocheckpoint in pages
 * @param readers           number of read-only connections in the pool
 */
public record StoreSettings(
        Path path,
        String synchronous,
        Duration busyTimeout,
        Duration busyRetryTimeout,
        long mmapSize,
        int cacheSize,
        long journalSizeLimit,
        int walAutocheckpoint,
        int readers) {

    /** The {@code file} key: a plain name inside {@code app.data-dir}, so the four files stay beside each other. */
    public static final String FILE_NAME = "(?!\\.\\.?$)[^/\\\\]+";

    public static final String FILE_NAME_RULE = "must be a plain file name inside app.data-dir";
    /** The {@code synchronous} key, in any case. */
    public static final String SYNCHRONOUS = "(?i)OFF|NORMAL|FULL|EXTRA";

    public static final String SYNCHRONOUS_RULE = "must be one of OFF, NORMAL, FULL, EXTRA";

    public StoreSettings {
        synchronous = synchronous.toUpperCase(Locale.ROOT);
    }

    public static StoreSettings defaults(Path path) {
        return new StoreSettings(
                path,
                "NORMAL",
                Duration.ofSeconds(5),
                Duration.ofSeconds(60),
                128L * 1024 * 1024,
                2000,
                64L * 1024 * 1024,
                1000,
                2);
    }

    public StoreSettings withBusy(Duration timeout, Duration retryTimeout) {
        return new StoreSettings(
                path,
                synchronous,
                timeout,
                retryTimeout,
                mmapSize,
                cacheSize,
                journalSizeLimit,
                walAutocheckpoint,
                readers);
    }
}
