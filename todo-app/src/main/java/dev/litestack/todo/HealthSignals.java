package dev.litestack.todo;

import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * What the health check cannot see by asking: an {@link OutOfMemoryError} some thread ran into recently, a write
 * that failed recently because the disk is full, and how full the old generation still is right after the last
 * garbage collection (what is live, not what is merely allocated).
 */
@Singleton
public class HealthSignals {

    /** An out-of-memory error makes the app unhealthy for this long after it happened. */
    static final Duration OUT_OF_MEMORY_MEMORY = Duration.ofMinutes(1);
    /** Heap still in use after a full collection, as a share of the maximum, above which the app is unhealthy. */
    static final double HEAP_AFTER_GC_LIMIT = 0.9;

    /** A write that failed on a full disk makes the app unhealthy for this long after it happened. */
    static final Duration DISK_FULL_MEMORY = Duration.ofMinutes(1);

    private final Clock clock;
    private volatile long lastOutOfMemory = Long.MIN_VALUE;
    private volatile long lastDiskFull = Long.MIN_VALUE;

    public HealthSignals(Clock clock) {
        this.clock = clock;
    }

    /** Records that a thread ran out of heap (the failure is still answered or logged where it happened). */
    public void outOfMemory() {
        lastOutOfMemory = clock.millis();
    }

    /** Records that a write failed because the disk is full (SQLITE_FULL). */
    public void diskFull() {
        lastDiskFull = clock.millis();
    }

    /** A sentence for /health if a write failed on a full disk recently. */
    public Optional<String> diskProblem() {
        long since = clock.millis() - lastDiskFull;
        if (lastDiskFull != Long.MIN_VALUE && since < DISK_FULL_MEMORY.toMillis()) {
            return Optional.of("a write failed " + since / 1000 + " s ago: the disk is full");
        }
        return Optional.empty();
    }

    /** A sentence for /health if the heap ran out recently or is nearly full after the last collection. */
    public Optional<String> memoryProblem() {
        long since = clock.millis() - lastOutOfMemory;
        if (lastOutOfMemory != Long.MIN_VALUE && since < OUT_OF_MEMORY_MEMORY.toMillis()) {
            return Optional.of("out of heap memory " + since / 1000 + " s ago");
        }
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() != MemoryType.HEAP
                    || !pool.isCollectionUsageThresholdSupported()
                    || !isOldGeneration(pool.getName())) {
                continue;
            }
            MemoryUsage afterGc = pool.getCollectionUsage();
            if (afterGc != null && afterGc.getMax() > 0 && afterGc.getUsed() > HEAP_AFTER_GC_LIMIT * afterGc.getMax()) {
                return Optional.of("heap pool '" + pool.getName() + "' is " + (afterGc.getUsed() >> 20) + " of "
                        + (afterGc.getMax() >> 20) + " MiB full after garbage collection");
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a heap pool holds what outlived young collections: a young pool (Eden, Survivor) is routinely full
     * right after a young collection, which says nothing about live data.
     */
    static boolean isOldGeneration(String poolName) {
        return !poolName.contains("Eden") && !poolName.contains("Survivor");
    }
}
