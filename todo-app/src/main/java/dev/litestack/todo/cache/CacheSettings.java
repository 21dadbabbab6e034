package dev.litestack.todo.cache;

import dev.litestack.todo.sqlite.StoreSettings;
import java.time.Duration;

/**
 * Settings of the SQLite cache (validated by {@link CacheProperties}).
 *
 * @param store         the cache.db file and its tuning
 * @param defaultTtl    expiry of a key set without one
 * @param maxBytes      size cap: sum of key and value bytes; the pruner evicts least recently used keys above it
 * @param maxEntries    entry cap (0 = none), enforced the same way
 * @param pruneInterval how often expired keys are deleted and the caps enforced
 * @param touchInterval how often recorded reads are written to {@code last_used}
 */
public record CacheSettings(
        StoreSettings store,
        Duration defaultTtl,
        long maxBytes,
        long maxEntries,
        Duration pruneInterval,
        Duration touchInterval) {

    public static CacheSettings defaults(StoreSettings store) {
        return new CacheSettings(
                store, Duration.ofDays(30), 128L * 1024 * 1024, 0, Duration.ofSeconds(30), Duration.ofSeconds(1));
    }

    public CacheSettings withCaps(long bytes, long entries) {
        return new CacheSettings(store, defaultTtl, bytes, entries, pruneInterval, touchInterval);
    }
}
