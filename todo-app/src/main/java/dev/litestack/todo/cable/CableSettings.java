package dev.litestack.todo.cable;

import dev.litestack.todo.sqlite.StoreSettings;
import java.time.Duration;

/**
 * Settings of pub/sub (validated by {@link CableProperties}).
 *
 * @param store                  the cable.db file and its tuning
 * @param pollInterval           how often other processes' messages are read from cable.db
 * @param batchSize              most messages written in one transaction or read in one poll
 * @param retention              how long messages stay in cable.db (a process paused longer misses them, and logs it)
 * @param trimInterval           how often messages older than the retention are deleted
 * @param maxMessages            most messages kept in cable.db, whatever their age (the oldest go first)
 * @param maxStoredMessageLength longest message (in characters) written to cable.db; a longer one reaches this
 *                               process's subscribers only
 * @param maxPendingBytes        most bytes of messages waiting in memory to be written to cable.db; beyond it a
 *                               message reaches this process's subscribers only
 */
public record CableSettings(
        StoreSettings store,
        Duration pollInterval,
        int batchSize,
        Duration retention,
        Duration trimInterval,
        int maxMessages,
        int maxStoredMessageLength,
        long maxPendingBytes) {

    public static CableSettings defaults(StoreSettings store) {
        return new CableSettings(
                store,
                Duration.ofMillis(20),
                500,
                Duration.ofMinutes(5),
                Duration.ofSeconds(30),
                1_000,
                65_536,
                16L << 20);
    }

    public CableSettings withPollInterval(Duration interval) {
        return new CableSettings(
                store,
                interval,
                batchSize,
                retention,
                trimInterval,
                maxMessages,
                maxStoredMessageLength,
                maxPendingBytes);
    }

    public CableSettings withLimits(int maxMessages, int maxStoredMessageLength, long maxPendingBytes) {
        return new CableSettings(
                store,
                pollInterval,
                batchSize,
                retention,
                trimInterval,
                maxMessages,
                maxStoredMessageLength,
                maxPendingBytes);
    }
}
