package dev.litestack.todo.cache;

import dev.litestack.todo.logging.QuietLog;
import dev.litestack.todo.sqlite.SqliteStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key-value cache in its own SQLite file (cache.db): get/set/delete/increment with per-key expiry, a size cap
 * enforced by a background pruner that evicts the least recently used keys, and contents that survive restarts.
 * Every read and write goes to the file, so all processes on the host see the same data (no in-memory copy).
 * Reads are recorded in memory and written to {@code last_used} every touch-interval, so LRU order is accurate to
 * that interval.
 */
public final class SqliteCache implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteCache.class);
    private static final int TOUCH_LIMIT = 10_000;
    private static final int BATCH = 1000;
    private static final double LOW_WATER = 0.9;

    /** What one prune did. */
    public record PruneResult(int expired, int evicted) {}

    private final CacheSettings settings;
    private final SqliteStore store;
    private final Clock clock;
    private final ConcurrentHashMap<String, Boolean> touched = new ConcurrentHashMap<>();
    private final AtomicLong writtenSincePrune = new AtomicLong();
    private final AtomicBoolean pruneQueued = new AtomicBoolean();
    private final ScheduledExecutorService pruner;
    /** Maintenance failures: each kind logged once, then counted. */
    private final QuietLog failures;

    private SqliteCache(CacheSettings settings, SqliteStore store, Clock clock) {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
        this.failures = new QuietLog(LOG, clock, Duration.ofMinutes(1), 20);
        this.pruner = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cache-pruner");
            t.setDaemon(true);
            return t;
        });
    }

    public static SqliteCache open(CacheSettings settings, Clock clock) {
        SqliteCache cache = new SqliteCache(settings, SqliteStore.open("cache", settings.store()), clock);
        long prune = settings.pruneInterval().toMillis();
        cache.pruner.scheduleWithFixedDelay(cache.guard(cache::prune), prune, prune, TimeUnit.MILLISECONDS);
        long touch = settings.touchInterval().toMillis();
        cache.pruner.scheduleWithFixedDelay(cache.guard(cache::flushTouches), touch, touch, TimeUnit.MILLISECONDS);
        return cache;
    }

    private Runnable guard(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                failures.error(
                        "cache " + store.path() + " maintenance failed, will try again at the next interval: "
                                + e.getMessage(),
                        e);
            }
        };
    }

    /** The value of {@code key}, if present and not expired. */
    public Optional<byte[]> get(String key) {
        Objects.requireNonNull(key, "key");
        long now = clock.millis();
        Optional<byte[]> value =
                store.read(s -> s.queryOne("get", rs -> rs.getLong(2) > now ? rs.getBytes(1) : null, key));
        if (value.isPresent() && touched.size() < TOUCH_LIMIT) {
            touched.put(key, Boolean.TRUE);
        }
        return value;
    }

    public Optional<String> getString(String key) {
        return get(key).map(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    /** Sets {@code key} with the default expiry (default-ttl). */
    public void set(String key, byte[] value) {
        set(key, value, settings.defaultTtl());
    }

    /** Sets {@code key}, replacing any value, to expire after {@code ttl}. */
    public void set(String key, byte[] value, Duration ttl) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        long now = clock.millis();
        long expires = now + positive(ttl).toMillis();
        store.write(s -> s.update("set", key, value, expires, now));
        written(utf8Length(key) + value.length);
    }

    public void setString(String key, String value, Duration ttl) {
        set(key, value.getBytes(StandardCharsets.UTF_8), ttl);
    }

    public void setString(String key, String value) {
        set(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Deletes {@code key}; returns whether it existed (expired or not). */
    public boolean delete(String key) {
        return store.write(s -> s.update("delete", key)) > 0;
    }

    /** Adds {@code delta} to the counter at {@code key} (a missing or expired key counts as 0). */
    public long increment(String key, long delta) {
        return increment(key, delta, settings.defaultTtl());
    }

    /**
     * Atomically adds {@code delta} and returns the new value. A new counter expires after {@code ttl}; a live one
     * keeps its expiry. A value counts as its leading decimal number (0 if it has none). A sum past the 64-bit range
     * throws {@link ArithmeticException} and changes nothing.
     */
    public long increment(String key, long delta, Duration ttl) {
        Objects.requireNonNull(key, "key");
        long now = clock.millis();
        long expires = now + positive(ttl).toMillis();
        long value = store.write(s -> {
            String sum = s.queryOne("increment", rs -> rs.getString(1), key, delta, expires, now)
                    .orElseThrow();
            try {
                return Long.parseLong(sum);
            } catch (NumberFormatException e) {
                // past the 64-bit range SQLite makes the sum a real number: refused (and rolled back) rather than
                // a counter that is silently wrong from then on
                throw new ArithmeticException("the counter at cache key " + key + " would pass the 64-bit range");
            }
        });
        written(utf8Length(key) + 20);
        return value;
    }

    /** Number of keys that have not expired. */
    public long count() {
        long now = clock.millis();
        return store.read(s -> s.queryLong("count_live", now));
    }

    public void clear() {
        store.write(s -> s.update("clear"));
        touched.clear();
    }

    /**
     * Writes recorded reads to {@code last_used}, deletes expired keys, then evicts least recently used keys until
     * the cache is at 90 % of max-bytes and max-entries. Runs every prune-interval, and early after writes of a
     * tenth of max-bytes; one prune runs at a time; public for tests and tools.
     */
    public synchronized PruneResult prune() {
        pruneQueued.set(false);
        writtenSincePrune.set(0);
        flushTouches();
        long now = clock.millis();
        int expired = 0;
        int n;
        do {
            n = store.write(s -> s.update("delete_expired", now, BATCH));
            expired += n;
        } while (n == BATCH);
        int evicted = 0;
        while (true) {
            long[] size = store.read(s -> s.queryOne("size", rs -> new long[] {rs.getLong(1), rs.getLong(2)})
                    .orElseThrow());
            long count = size[0];
            long bytes = size[1];
            boolean overEntries = settings.maxEntries() > 0 && count > settings.maxEntries();
            boolean overBytes = bytes > settings.maxBytes();
            if (count == 0 || (!overEntries && !overBytes)) {
                break;
            }
            long excess = 0;
            if (overEntries) {
                excess = count - (long) (settings.maxEntries() * LOW_WATER);
            }
            if (overBytes) {
                double fraction = (bytes - settings.maxBytes() * LOW_WATER) / (double) bytes;
                excess = Math.max(excess, (long) Math.ceil(count * fraction));
            }
            int batch = (int) Math.max(1, Math.min(BATCH, excess));
            evicted += store.write(s -> s.update("evict_lru", batch));
        }
        if (expired > 0 || evicted > 0) {
            LOG.debug("cache prune: {} expired, {} evicted", expired, evicted);
        }
        return new PruneResult(expired, evicted);
    }

    /** Writes the reads recorded since the last flush to {@code last_used}. */
    public void flushTouches() {
        if (touched.isEmpty()) {
            return;
        }
        List<String> keys = new ArrayList<>(touched.keySet());
        keys.forEach(touched::remove);
        long now = clock.millis();
        store.write(s -> {
            for (String key : keys) {
                s.update("touch", key, now);
            }
            return null;
        });
    }

    /** The bytes of {@code key} in UTF-8, as SQLite stores it (the byte cap counts bytes, not characters). */
    static long utf8Length(String key) {
        long bytes = 0;
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < key.length()
                    && Character.isLowSurrogate(key.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private void written(long bytes) {
        if (writtenSincePrune.addAndGet(bytes) > settings.maxBytes() / 10 && pruneQueued.compareAndSet(false, true)) {
            pruner.execute(guard(this::prune));
        }
    }

    private static Duration positive(Duration ttl) {
        if (ttl == null || ttl.isZero() || ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must be positive, got " + ttl);
        }
        return ttl;
    }

    @Override
    public void close() {
        pruner.shutdownNow();
        try {
            pruner.awaitTermination(5, TimeUnit.SECONDS);
            flushTouches();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            store.close();
        }
    }
}
