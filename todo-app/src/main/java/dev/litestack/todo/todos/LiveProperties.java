package dev.litestack.todo.todos;

import static dev.litestack.todo.config.ConfigValidation.require;

import dev.litestack.todo.config.MinDuration;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.ReadableBytes;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * {@code app.live.*}: what the live websockets may cost. Each user has at most {@code max-sockets-per-user} open
 * sockets, each client address at most {@code max-sockets-per-address} (users cost nothing to create: one client
 * could otherwise take the whole process's share), and the process at most {@code max-sockets} (an idle socket holds
 * ~7 KB of heap); snapshots are rendered by {@code snapshot-threads} threads of
 * their own, at most once per {@code snapshot-interval} per user (sockets that open meanwhile share the next one);
 * text waiting to be written to a socket is capped per socket and for the whole process (a socket over either is
 * closed with 1013, try again later, and its tab reconnects and catches up). Every open socket gets a heartbeat (an
 * empty message) every {@code heartbeat-interval}, so that a tab that hears nothing for a while knows its connection
 * is dead (a network that drops packets closes nothing) and reconnects. Validated at start.
 */
@Context
@ConfigurationProperties("app.live")
record LiveProperties(
        @Bindable(defaultValue = "8") @Min(1) @Max(1000) int maxSocketsPerUser,

        @Bindable(defaultValue = "4096") @Min(1) @Max(1_000_000)
        int maxSockets,

        @Bindable(defaultValue = "256") @Min(1) @Max(1_000_000)
        int maxSocketsPerAddress,

        @Bindable(defaultValue = "2") @Min(1) @Max(64) int snapshotThreads,
        @Bindable(defaultValue = "500ms") @MinDuration Duration snapshotInterval,
        @Bindable(defaultValue = "15s") @MinDuration Duration heartbeatInterval,

        @Bindable(defaultValue = "8MB") @ReadableBytes @Min(64L << 10) @Max(1L << 30)
        long maxQueuedBytesPerSocket,

        @Bindable(defaultValue = "48MB") @ReadableBytes @Max(4L << 30)
        long maxQueuedBytes) {

    public LiveProperties {
        require(
                maxQueuedBytes >= maxQueuedBytesPerSocket,
                "app.live.max-queued-bytes must be between "
                        + maxQueuedBytesPerSocket + " (app.live.max-queued-bytes-per-socket) and " + (4L << 30)
                        + ", got "
                        + maxQueuedBytes);
        require(
                heartbeatInterval.compareTo(Duration.ofSeconds(30)) <= 0,
                "app.live.heartbeat-interval must be at most 30s (pages take 40 s without a message for a dead"
                        + " connection), got " + heartbeatInterval);
    }
}
