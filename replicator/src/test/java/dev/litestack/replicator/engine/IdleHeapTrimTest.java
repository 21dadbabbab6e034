package dev.litestack.replicator.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdleHeapTrimTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final AtomicInteger collections = new AtomicInteger();
    private final AtomicLong heap = new AtomicLong(8L << 20);
    /** A collection here shrinks the heap to 12 MiB. */
    private final IdleHeapTrim trim = new IdleHeapTrim(now::get, heap::get, () -> {
        collections.incrementAndGet();
        heap.set(12L << 20);
    });

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    /** The first snapshot grew the heap to 30 MiB; the quiet period after it collects. Returns its start. */
    private long collectAfterTheFirstSnapshot() {
        heap.set(30L << 20);
        long start = now.get();
        advance(IdleHeapTrim.QUIET);
        assertTrue(trim.afterPoll(start)); // heap 30 -> 12 MiB
        return start;
    }

    @Test
    void collectsOnceAfterEveryDatabaseWasQuietLongEnough() {
        heap.set(30L << 20); // the first snapshot grew the heap
        long start = now.get();
        advance(IdleHeapTrim.QUIET.minusMillis(1));
        assertFalse(trim.afterPoll(start), "not quiet long enough yet");
        advance(Duration.ofMillis(1));
        assertTrue(trim.afterPoll(start));
        advance(Duration.ofMinutes(10));
        assertFalse(trim.afterPoll(start), "one collection per quiet period");
        assertEquals(1, collections.get());
    }

    @Test
    void aChangeInAnyDatabaseRestartsTheQuietPeriodAndReArmsIt() {
        long start = collectAfterTheFirstSnapshot();
        advance(Duration.ofSeconds(5));
        long write = now.get();
        heap.set(40L << 20); // a burst grew it again
        assertFalse(trim.afterPoll(write), "database A changed");
        advance(IdleHeapTrim.QUIET.minusSeconds(1));
        // database B, unchanged since the start, polls: A's change still counts
        assertFalse(trim.afterPoll(start));
        advance(Duration.ofSeconds(1));
        assertTrue(trim.afterPoll(start));
        assertEquals(2, collections.get());
    }

    @Test
    void aQuietPeriodAfterWritesThatDidNotGrowTheHeapCostsNoCollection() {
        collectAfterTheFirstSnapshot();
        for (int i = 0; i < 5; i++) {
            advance(Duration.ofMinutes(1));
            long write = now.get(); // a small write: the heap stays at 12 MiB, or grows a little
            heap.set((12L << 20) + i * (1L << 20));
            assertFalse(trim.afterPoll(write));
            advance(IdleHeapTrim.QUIET);
            assertFalse(trim.afterPoll(write), "growth below " + IdleHeapTrim.GROWTH + " bytes");
        }
        heap.set(21L << 20);
        long burst = now.get();
        assertFalse(trim.afterPoll(burst));
        advance(IdleHeapTrim.QUIET);
        assertTrue(trim.afterPoll(burst), "grew by 9 MiB since the last collection");
        assertEquals(2, collections.get());
    }
}
