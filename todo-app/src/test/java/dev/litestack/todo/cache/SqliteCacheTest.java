package dev.litestack.todo.cache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.todo.sqlite.StoreSettings;
import dev.litestack.todo.support.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache on a real temp-file WAL database; a second instance on the same file plays another process. */
class SqliteCacheTest {

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();
    private final List<SqliteCache> open = new ArrayList<>();
    private SqliteCache cache;

    @BeforeEach
    void setUp() {
        cache = open(CacheSettings.defaults(StoreSettings.defaults(dir.resolve("cache.db"))));
    }

    @AfterEach
    void tearDown() {
        open.forEach(SqliteCache::close);
    }

    private SqliteCache open(CacheSettings settings) {
        SqliteCache c = SqliteCache.open(settings, clock);
        open.add(c);
        return c;
    }

    @Test
    void setGetDeleteRoundTrip() {
        assertTrue(cache.get("a").isEmpty());
        cache.set("a", new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, cache.get("a").orElseThrow());
        cache.setString("a", "replaced");
        assertEquals(Optional.of("replaced"), cache.getString("a"));
        assertTrue(cache.delete("a"));
        assertFalse(cache.delete("a"));
        assertTrue(cache.get("a").isEmpty());
    }

    @Test
    void keysExpireAtTheirOwnTtlAndThePrunerDeletesThem() {
        cache.setString("short", "s", Duration.ofMinutes(1));
        cache.setString("long", "l", Duration.ofHours(1));
        clock.advance(Duration.ofMinutes(1));
        assertTrue(cache.get("short").isEmpty(), "expired at its ttl");
        assertEquals(Optional.of("l"), cache.getString("long"));
        assertEquals(1, cache.count());
        assertEquals(new SqliteCache.PruneResult(1, 0), cache.prune());
        assertThrows(IllegalArgumentException.class, () -> cache.setString("k", "v", Duration.ZERO));
    }

    @Test
    void incrementIsAtomicAcrossThreadsAndRestartsAfterExpiry() {
        assertEquals(5, cache.increment("hits", 5, Duration.ofMinutes(1)));
        assertEquals(3, cache.increment("hits", -2));
        List<CompletableFuture<Void>> workers = IntStream.range(0, 4)
                .mapToObj(t -> CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 250; i++) {
                        cache.increment("hits", 1);
                    }
                }))
                .toList();
        workers.forEach(CompletableFuture::join);
        assertEquals(Optional.of("1003"), cache.getString("hits"), "counters read back as decimal text");
        clock.advance(Duration.ofMinutes(1));
        assertEquals(1, cache.increment("hits", 1), "an expired counter starts again from 0");
    }

    @Test
    void pruneEvictsLeastRecentlyUsedAboveTheEntryCap() {
        SqliteCache capped =
                open(withoutPeriodicPrune(CacheSettings.defaults(StoreSettings.defaults(dir.resolve("capped.db"))))
                        .withCaps(1L << 30, 10));
        for (int i = 0; i < 15; i++) {
            capped.setString("k" + i, "v" + i);
            clock.advance(Duration.ofSeconds(1));
        }
        for (int i = 0; i < 5; i++) {
            assertTrue(capped.get("k" + i).isPresent());
        }
        SqliteCache.PruneResult result = capped.prune();
        assertEquals(6, result.evicted(), "down to 90 % of max-entries");
        assertEquals(9, capped.count());
        for (int i = 0; i < 5; i++) {
            assertTrue(capped.get("k" + i).isPresent(), "recently read k" + i + " survives");
        }
        for (int i = 5; i < 11; i++) {
            assertTrue(capped.get("k" + i).isEmpty(), "least recently used k" + i + " evicted");
        }
    }

    @Test
    void pruneEvictsAboveTheByteCap() {
        // Another process (a second instance, uncapped) writes the keys, so no write of the capped instance queues an
        // early prune: the explicit prune below starts from all 20 keys of 1 006 bytes.
        CacheSettings file =
                withoutPeriodicPrune(CacheSettings.defaults(StoreSettings.defaults(dir.resolve("bytes.db"))));
        SqliteCache writer = open(file);
        SqliteCache capped = open(file.withCaps(10_000, 0));
        writeTwentyKilobyteKeys(writer);
        assertEquals(new SqliteCache.PruneResult(0, 12), capped.prune(), "down to 90 % of 10 000 bytes: 8 keys");
        assertEquals(8, capped.count());
        for (int i = 100; i < 112; i++) {
            assertTrue(capped.get("key" + i).isEmpty(), "least recently used key" + i + " evicted");
        }
        for (int i = 112; i < 120; i++) {
            assertTrue(capped.get("key" + i).isPresent(), "key" + i + " stays");
        }
    }

    /** A counter never becomes silently wrong: past the 64-bit range the increment is refused and nothing changes. */
    @Test
    void anIncrementPastTheSixtyFourBitRangeIsRefusedAndChangesNothing() {
        assertEquals(Long.MAX_VALUE, cache.increment("big", Long.MAX_VALUE));
        ArithmeticException refused = assertThrows(ArithmeticException.class, () -> cache.increment("big", 1));
        assertTrue(refused.getMessage().contains("cache key big"), refused.getMessage());
        assertEquals(String.valueOf(Long.MAX_VALUE), cache.getString("big").orElseThrow(), "unchanged");
        assertEquals(Long.MAX_VALUE - 1, cache.increment("big", -1));
        cache.setString("text", "12abc");
        assertEquals(13, cache.increment("text", 1), "a leading number counts, as in litecache");
    }

    /** The byte cap counts a key's bytes: 2,000 '€' are 6,000 bytes of UTF-8, not 2,000 (they all stayed before). */
    @Test
    void theByteCapCountsTheKeysBytesNotItsCharacters() {
        CacheSettings file =
                withoutPeriodicPrune(CacheSettings.defaults(StoreSettings.defaults(dir.resolve("utf8.db"))));
        SqliteCache writer = open(file);
        SqliteCache capped = open(file.withCaps(100_000, 0));
        for (int i = 0; i < 20; i++) {
            writer.set(i + "€".repeat(2000), new byte[10]);
            clock.advance(Duration.ofSeconds(1));
        }
        SqliteCache.PruneResult result = capped.prune();
        assertTrue(capped.count() <= 15, "20 keys of 6,011 bytes under a 100,000-byte cap: " + result);
        assertEquals(8, SqliteCache.utf8Length("a€😀"), "1 + 3 + 4 bytes");
    }

    @Test
    void writesOfATenthOfTheByteCapPruneInTheBackground() {
        SqliteCache capped =
                open(withoutPeriodicPrune(CacheSettings.defaults(StoreSettings.defaults(dir.resolve("early.db"))))
                        .withCaps(10_000, 0));
        writeTwentyKilobyteKeys(capped);
        // No explicit prune: every write (1 006 bytes, over a tenth of the cap) queues one on the pruner thread, and
        // the one queued by the last write sees it. Where they leave the cache between 8 keys (90 %) and 9 keys
        // (9 054 bytes, within the cap, so not pruned) depends on how they interleave with the writes.
        await().atMost(Duration.ofSeconds(10)).until(() -> capped.count() <= 9);
        assertTrue(capped.get("key119").isPresent(), "the newest key stays");
        assertTrue(capped.get("key100").isEmpty(), "the oldest key goes");
    }

    /** Writes key100 to key119, 1 006 bytes each, one second apart (key100 is the least recently used). */
    private void writeTwentyKilobyteKeys(SqliteCache into) {
        byte[] kilobyte = new byte[1000];
        for (int i = 0; i < 20; i++) {
            into.set("key" + (100 + i), kilobyte);
            clock.advance(Duration.ofSeconds(1));
        }
    }

    /** {@code settings} with the periodic prune an hour away: only explicit prunes and those queued by writes run. */
    private static CacheSettings withoutPeriodicPrune(CacheSettings settings) {
        return new CacheSettings(
                settings.store(),
                settings.defaultTtl(),
                settings.maxBytes(),
                settings.maxEntries(),
                Duration.ofHours(1),
                settings.touchInterval());
    }

    @Test
    void contentsSurviveARestart() {
        cache.setString("persisted", "yes");
        cache.increment("n", 41);
        cache.close();
        open.remove(cache);
        SqliteCache reopened = open(CacheSettings.defaults(StoreSettings.defaults(dir.resolve("cache.db"))));
        assertEquals(Optional.of("yes"), reopened.getString("persisted"));
        assertEquals(42, reopened.increment("n", 1));
    }

    @Test
    void anotherInstanceOnTheSameFileSeesWritesAtOnce() {
        SqliteCache other = open(CacheSettings.defaults(StoreSettings.defaults(dir.resolve("cache.db"))));
        cache.setString("shared", "1");
        assertEquals(Optional.of("1"), other.getString("shared"));
        other.setString("shared", "2");
        assertEquals(Optional.of("2"), cache.getString("shared"));
        other.increment("c", 1);
        assertEquals(2, cache.increment("c", 1));
        cache.delete("shared");
        assertTrue(other.get("shared").isEmpty());
    }
}
