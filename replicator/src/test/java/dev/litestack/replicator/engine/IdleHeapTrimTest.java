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
    private final IdleHeapTrim trim = new IdleHeapTrim(now::get, collections::incrementAndGet);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void collectsOnceAfterEveryDatabaseWasQuietLongEnough() {
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
        long start = now.get();
        advance(IdleHeapTrim.QUIET);
        assertTrue(trim.afterPoll(start));
        advance(Duration.ofSeconds(5));
        long write = now.get();
        assertFalse(trim.afterPoll(write), "database A changed");
        advance(IdleHeapTrim.QUIET.minusSeconds(1));
        // database B, unchanged since the start, polls: A's change still counts
        assertFalse(trim.afterPoll(start));
        advance(Duration.ofSeconds(1));
        assertTrue(trim.afterPoll(start));
        assertEquals(2, collections.get());
    }
}
