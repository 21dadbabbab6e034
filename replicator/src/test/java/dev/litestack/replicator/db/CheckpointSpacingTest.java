package dev.litestack.replicator.db;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** While the app writes, how far apart the replicator's page-count checkpoints take the write lock. */
class CheckpointSpacingTest {

    private static final long MS = 1_000_000L;
    private static final long END = 1_000_000 * MS; // any point on the monotonic clock

    @Test
    void aShortLockedStepWaitsTheMinimumSecond() {
        assertFalse(Database.writeLockDue(END + 999 * MS, END, 10 * MS));
        assertTrue(Database.writeLockDue(END + 1000 * MS, END, 10 * MS));
    }

    @Test
    void aLongerLockedStepWaitsTwentyTimesItsLength() {
        assertFalse(Database.writeLockDue(END + 1999 * MS, END, 100 * MS));
        assertTrue(Database.writeLockDue(END + 2000 * MS, END, 100 * MS));
    }

    @Test
    void theWaitIsCappedAtFiveSeconds() {
        assertFalse(Database.writeLockDue(END + 4999 * MS, END, 2000 * MS));
        assertTrue(Database.writeLockDue(END + 5000 * MS, END, 2000 * MS));
    }
}
