package dev.litestack.todo.sqlite;

import java.nio.file.Path;
import java.time.Duration;

/**
 * SQLite tuning shared by the four stores; each store's {@code @ConfigurationProperties} class extends it
 * with its own prefix ({@code app.data}, {@code app.queue}, {@code app.cache}, {@code app.cable}) and defaults.
 */
public abstract class StoreProperties {

    private String file;
    private String synchronous;
    private Duration busyTimeout = Duration.ofSeconds(5);
    private Duration busyRetryTimeout = Duration.ofSeconds(60);
    private long mmapSize;
    private int cacheSize = 2000;
    private long journalSizeLimit = 64L * 1024 * 1024;
    private int walAutocheckpoint = 1000;
    private int readers = 2;

    protected StoreProperties(String file, String synchronous, long mmapSize) {
        this.file = file;
        this.synchronous = synchronous;
        this.mmapSize = mmapSize;
    }

    /** The configuration prefix, used in validation messages. */
    protected abstract String prefix();

    /** Validates every key and resolves the file inside {@code dataDir}. */
    public StoreSettings toSettings(Path dataDir) {
        String p = prefix();
        String name = ConfigCheck.fileName(p + ".file", file);
        return new StoreSettings(dataDir.resolve(name),
                ConfigCheck.synchronous(p + ".synchronous", synchronous),
                ConfigCheck.positive(p + ".busy-timeout", busyTimeout),
                ConfigCheck.positive(p + ".busy-retry-timeout", busyRetryTimeout),
                ConfigCheck.range(p + ".mmap-size", mmapSize, 0L, 1L << 40),
                ConfigCheck.range(p + ".cache-size", cacheSize, -4_000_000, 4_000_000),
                ConfigCheck.range(p + ".journal-size-limit", journalSizeLimit, -1L, 1L << 40),
                ConfigCheck.range(p + ".wal-autocheckpoint", walAutocheckpoint, 0, 10_000_000),
                ConfigCheck.range(p + ".readers", readers, 1, 64));
    }

    public String getFile() {
        return file;
    }

    public void setFile(String file) {
        this.file = file;
    }

    public String getSynchronous() {
        return synchronous;
    }

    public void setSynchronous(String synchronous) {
        this.synchronous = synchronous;
    }

    public Duration getBusyTimeout() {
        return busyTimeout;
    }

    public void setBusyTimeout(Duration busyTimeout) {
        this.busyTimeout = busyTimeout;
    }

    public Duration getBusyRetryTimeout() {
        return busyRetryTimeout;
    }

    public void setBusyRetryTimeout(Duration busyRetryTimeout) {
        this.busyRetryTimeout = busyRetryTimeout;
    }

    public long getMmapSize() {
        return mmapSize;
    }

    public void setMmapSize(long mmapSize) {
        this.mmapSize = mmapSize;
    }

    public int getCacheSize() {
        return cacheSize;
    }

    public void setCacheSize(int cacheSize) {
        this.cacheSize = cacheSize;
    }

    public long getJournalSizeLimit() {
        return journalSizeLimit;
    }

    public void setJournalSizeLimit(long journalSizeLimit) {
        this.journalSizeLimit = journalSizeLimit;
    }

    public int getWalAutocheckpoint() {
        return walAutocheckpoint;
    }

    public void setWalAutocheckpoint(int walAutocheckpoint) {
        this.walAutocheckpoint = walAutocheckpoint;
    }

    public int getReaders() {
        return readers;
    }

    public void setReaders(int readers) {
        this.readers = readers;
    }
}
