package dev.litestack.todo.todos;

import dev.litestack.todo.HealthSignals;
import dev.litestack.todo.logging.QuietLog;
import dev.litestack.todo.web.RenderBudget;
import io.micronaut.websocket.CloseReason;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * The snapshots of live sockets, rendered on {@code app.live.snapshot-threads} threads of their own (never on a
 * request thread or the event loop), at most once per {@code app.live.snapshot-interval} per user: the sockets of
 * a user that open meanwhile wait for the next render and share it, and sockets that closed before it are skipped
 * (a render with no open socket left does not happen). A user opening and closing sockets in a loop therefore
 * costs at most one render per interval, however fast the loop.
 */
@Singleton
class LiveSnapshots {

    private final TodoStreams streams;
    private final long intervalNanos;
    private final QuietLog log;
    private final HealthSignals health;
    private final ScheduledThreadPoolExecutor threads;
    private final Map<String, Waiting> users = new ConcurrentHashMap<>();

    /** The sockets of one user that wait for a snapshot, and when that user's last render started. */
    private static final class Waiting {
        final List<LiveConnection> sockets = new ArrayList<>();
        boolean scheduled;
        boolean retired;
        long lastRender;
    }

    public LiveSnapshots(TodoStreams streams, LiveProperties settings, Clock clock, HealthSignals health) {
        this.streams = streams;
        this.health = health;
        this.intervalNanos = settings.snapshotInterval().toNanos();
        this.log = new QuietLog(LoggerFactory.getLogger(LiveSnapshots.class), clock, Duration.ofMinutes(1), 50);
        AtomicInteger n = new AtomicInteger();
        this.threads = new ScheduledThreadPoolExecutor(settings.snapshotThreads(), r -> {
            Thread t = new Thread(r, "live-snapshot-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.threads.setRemoveOnCancelPolicy(true);
    }

    /** Queues {@code socket} for the next snapshot of its user. */
    void request(LiveConnection socket) {
        while (true) {
            Waiting w = users.computeIfAbsent(socket.user, u -> new Waiting());
            synchronized (w) {
                if (w.retired) {
                    continue;
                }
                w.sockets.add(socket);
                if (!w.scheduled) {
                    w.scheduled = true;
                    schedule(socket.user, w);
                }
                return;
            }
        }
    }

    private void schedule(String user, Waiting w) {
        long delay = w.lastRender == 0 ? 0 : Math.max(0, w.lastRender + intervalNanos - System.nanoTime());
        threads.schedule(() -> render(user, w), delay, TimeUnit.NANOSECONDS);
    }

    private void render(String user, Waiting w) {
        List<LiveConnection> open = new ArrayList<>();
        synchronized (w) {
            for (LiveConnection socket : w.sockets) {
                if (socket.isOpen()) {
                    open.add(socket);
                }
            }
            w.sockets.clear();
            if (!open.isEmpty()) {
                w.lastRender = System.nanoTime();
            }
        }
        if (!open.isEmpty()) {
            send(user, open);
        }
        synchronized (w) {
            if (w.sockets.isEmpty()) {
                w.scheduled = false;
                threads.schedule(() -> retireIfIdle(user, w), intervalNanos, TimeUnit.NANOSECONDS);
            } else {
                schedule(user, w);
            }
        }
    }

    /** Forgets a user whose interval has passed with no socket waiting (the next request renders at once). */
    private void retireIfIdle(String user, Waiting w) {
        synchronized (w) {
            if (!w.scheduled && w.sockets.isEmpty() && System.nanoTime() - w.lastRender >= intervalNanos) {
                w.retired = true;
                users.remove(user, w);
            }
        }
    }

    private void send(String user, List<LiveConnection> open) {
        String snapshot;
        try {
            snapshot = streams.snapshot(user);
        } catch (RenderBudget.Busy e) {
            log.warn(
                    "snapshot busy",
                    "live sockets closed with 1013: the render budget stayed taken for the whole wait");
            open.forEach(s -> s.close(CloseReason.TRY_AGAIN_LATER));
            return;
        } catch (RuntimeException | OutOfMemoryError e) {
            if (e instanceof OutOfMemoryError) {
                health.outOfMemory();
            }
            log.error("cannot render the snapshot of live sockets: " + e.getMessage(), e);
            open.forEach(s -> s.close(CloseReason.INTERNAL_ERROR));
            return;
        }
        for (LiveConnection socket : open) {
            socket.start(snapshot);
        }
    }

    /** Users with sockets waiting for a snapshot (for tests). */
    int waitingUsers() {
        return users.size();
    }

    @PreDestroy
    void stop() {
        threads.shutdownNow();
    }
}
