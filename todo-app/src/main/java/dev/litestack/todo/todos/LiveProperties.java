package dev.litestack.todo.todos;

import dev.litestack.todo.sqlite.ConfigCheck;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.convert.format.ReadableBytes;
import jakarta.annotation.PostConstruct;

import java.time.Duration;

/**
 * {@code app.live.*}: what the live websockets may cost. Each user has at most {@code max-sockets-per-user} open
 * sockets; snapshots are rendered by {@code snapshot-threads} threads of their own, at most once per
 * {@code snapshot-interval} per user (sockets that open meanwhile share the next one); text waiting to be written to
 * a socket is capped per socket and for the whole process (a socket over either is closed with 1013, try again
 * later, and its tab reconnects and catches up). Validated at start.
 */
@Context
@ConfigurationProperties("app.live")
public class LiveProperties {

    private int maxSocketsPerUser = 8;
    private int snapshotThreads = 2;
    private Duration snapshotInterval = Duration.ofMillis(500);
    private long maxQueuedBytesPerSocket = 8L << 20;
    private long maxQueuedBytes = 48L << 20;

    @PostConstruct
    void validate() {
        ConfigCheck.range("app.live.max-sockets-per-user", maxSocketsPerUser, 1, 1000);
        ConfigCheck.range("app.live.snapshot-threads", snapshotThreads, 1, 64);
        ConfigCheck.positive("app.live.snapshot-interval", snapshotInterval);
        ConfigCheck.range("app.live.max-queued-bytes-per-socket", maxQueuedBytesPerSocket, 64L << 10, 1L << 30);
        ConfigCheck.range("app.live.max-queued-bytes", maxQueuedBytes, maxQueuedBytesPerSocket, 4L << 30);
    }

    public int getMaxSocketsPerUser() {
        return maxSocketsPerUser;
    }

    public void setMaxSocketsPerUser(int maxSocketsPerUser) {
        this.maxSocketsPerUser = maxSocketsPerUser;
    }

    public int getSnapshotThreads() {
        return snapshotThreads;
    }

    public void setSnapshotThreads(int snapshotThreads) {
        this.snapshotThreads = snapshotThreads;
    }

    public Duration getSnapshotInterval() {
        return snapshotInterval;
    }

    public void setSnapshotInterval(Duration snapshotInterval) {
        this.snapshotInterval = snapshotInterval;
    }

    public long getMaxQueuedBytesPerSocket() {
        return maxQueuedBytesPerSocket;
    }

    public void setMaxQueuedBytesPerSocket(@ReadableBytes long maxQueuedBytesPerSocket) {
        this.maxQueuedBytesPerSocket = maxQueuedBytesPerSocket;
    }

    public long getMaxQueuedBytes() {
        return maxQueuedBytes;
    }

    public void setMaxQueuedBytes(@ReadableBytes long maxQueuedBytes) {
        this.maxQueuedBytes = maxQueuedBytes;
    }
}
