package dev.litestack.todo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which heap pools the health check reads: a survivor space full after a young collection is not a problem. */
class HealthSignalsTest {

    @Test
    void onlyTheOldGenerationCounts() {
        // the pool names of the serial (production), G1 and parallel collectors
        for (String young : List.of(
                "Eden Space",
                "Survivor Space",
                "G1 Eden Space",
                "G1 Survivor Space",
                "PS Eden Space",
                "PS Survivor Space")) {
            assertFalse(HealthSignals.isOldGeneration(young), young);
        }
        for (String old : List.of("Tenured Gen", "G1 Old Gen", "PS Old Gen")) {
            assertTrue(HealthSignals.isOldGeneration(old), old);
        }
    }

    @Test
    void thisJvmHasExactlyOneOldGenerationPoolToRead() {
        List<String> read = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported())
                .map(MemoryPoolMXBean::getName)
                .filter(HealthSignals::isOldGeneration)
                .toList();
        assertEquals(1, read.size(), read.toString());
    }

    @Test
    void aRecentOutOfMemoryErrorIsAProblem() {
        HealthSignals signals = new HealthSignals(Clock.systemUTC());
        signals.outOfMemory();
        assertTrue(signals.memoryProblem().orElseThrow().startsWith("out of heap memory"));
    }
}
