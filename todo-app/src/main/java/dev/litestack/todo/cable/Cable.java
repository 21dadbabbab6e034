package dev.litestack.todo.cable;

import dev.litestack.todo.logging.QuietLog;
import dev.litestack.todo.sqlite.SqliteStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pub/sub over its own SQLite file (cable.db), litecable style. {@link #publish} calls this process's subscribers
 * at once, on the publishing thread, and queues the message for a writer thread that inserts queued messages in
 * batches (one transaction per drain). A listener thread polls {@code id > last seen} every poll-interval and
 * delivers other processes' messages; messages this process published are skipped there, so no subscriber sees
 * a message twice. Messages older than the retention are trimmed, and so are all but the newest max-messages.
 * Memory and disk stay bounded whatever the publishers do: a message longer than max-stored-message-length, or
 * one that would take the messages waiting for the writer past max-pending-bytes, reaches this process's
 * subscribers only (logged, quietly). Callbacks must be quick and must not block.
 */
public final class Cable implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Cable.class);
    private static final int INSERT_TRIES = 3;

    private record Outgoing(String channel, String payload, long createdAt, long bytes) {}

    private record Incoming(long id, String channel, String payload, String origin) {}

    private final CableSettings settings;
    private final SqliteStore store;
    private final Clock clock;
    private final String origin = UUID.randomUUID().toString();
    private final ConcurrentHashMap<String, CopyOnWriteArrayList<Handle>> subscribers = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Outgoing> outbox = new LinkedBlockingQueue<>();
    /** Heap bytes of the messages in {@link #outbox} and in the batch being written. */
    private final AtomicLong pendingBytes = new AtomicLong();

    private final LongAdder notStored = new LongAdder();
    private final Thread writer;
    private final Thread listener;
    /** Failures of the writer and listener threads: each kind logged once, then counted (a full disk would fail every poll). */
    private final QuietLog failures;

    private volatile boolean running = true;
    private long lastSeen;
    private long nextTrim;

    private Cable(CableSettings settings, SqliteStore store, Clock clock) {
        this.settings = settings;
        this.store = store;
        this.clock = clock;
        this.failures = new QuietLog(LOG, clock, Duration.ofMinutes(1), 20);
        this.writer = new Thread(this::writeLoop, "cable-writer");
        this.writer.setDaemon(true);
        this.listener = new Thread(this::listenLoop, "cable-listener");
        this.listener.setDaemon(true);
    }

    /** Opens cable.db and starts the writer and listener; delivery from other processes starts at the newest message. */
    public static Cable open(CableSettings settings, Clock clock) {
        Cable cable = new Cable(settings, SqliteStore.open("cable", settings.store()), clock);
        cable.lastSeen = cable.store.read(s -> s.queryLong("last_id"));
        cable.nextTrim = System.nanoTime();
        cable.writer.start();
        cable.listener.start();
        return cable;
    }

    /** Delivers {@code payload} to this process's subscribers of {@code channel} now, and to other processes' soon. */
    public void publish(String channel, String payload) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(payload, "payload");
        if (!running) {
            throw new IllegalStateException("cable " + store.path() + " is closed");
        }
        deliver(channel, payload);
        if (payload.length() > settings.maxStoredMessageLength()) {
            notStored.increment();
            failures.warn(
                    "cable message too long",
                    "cable: a message of " + payload.length() + " characters on '" + channel + "' is longer than "
                            + "app.cable.max-stored-message-length " + settings.maxStoredMessageLength()
                            + "; delivered in this process only");
            return;
        }
        long bytes = 2L * (payload.length() + channel.length()) + 64; // the two strings' UTF-16 arrays, roughly
        if (pendingBytes.addAndGet(bytes) > settings.maxPendingBytes()) {
            pendingBytes.addAndGet(-bytes);
            notStored.increment();
            failures.warn(
                    "cable outbox full",
                    "cable: messages waiting to be written to " + store.path() + " reached app.cable.max-pending-bytes "
                            + settings.maxPendingBytes() + "; a message on '" + channel
                            + "' was delivered in this process only");
            return;
        }
        try {
            outbox.add(new Outgoing(channel, payload, clock.millis(), bytes));
        } catch (RuntimeException | Error e) {
            pendingBytes.addAndGet(-bytes); // not queued (out of memory): the writer will never give them back
            throw e;
        }
    }

    /** Messages delivered in this process only, because they were too long or the writer was too far behind. */
    public long notStoredMessages() {
        return notStored.sum();
    }

    /** Calls {@code callback} with every message published to {@code channel} from now on, until closed. */
    public Subscription subscribe(String channel, Consumer<String> callback) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(callback, "callback");
        Handle handle = new Handle(channel, callback);
        subscribers.compute(channel, (c, list) -> {
            CopyOnWriteArrayList<Handle> handles = list == null ? new CopyOnWriteArrayList<>() : list;
            handles.add(handle);
            return handles;
        });
        return handle;
    }

    /** Number of live subscriptions on {@code channel} in this process. */
    public int subscriberCount(String channel) {
        List<Handle> list = subscribers.get(channel);
        return list == null ? 0 : list.size();
    }

    /** This process's origin id, stored with each message it publishes. */
    public String origin() {
        return origin;
    }

    /**
     * Deletes messages older than the retention, then all but the newest max-messages; runs every trim-interval;
     * public for tests and tools.
     */
    public int trim() {
        int total =
                deleteInBatches("trim", clock.millis() - settings.retention().toMillis());
        return total + trimToMaxMessages();
    }

    private int trimToMaxMessages() {
        return deleteInBatches("trim_to", lastStoredId() - settings.maxMessages());
    }

    /** Runs delete statement {@code name} (bound, batch size) one batch per transaction until a batch falls short. */
    private int deleteInBatches(String name, long bound) {
        int total = 0;
        int n;
        do {
            n = store.write(s -> s.update(name, bound, settings.batchSize()));
            total += n;
        } while (n == settings.batchSize());
        return total;
    }

    /** The id of the newest message written to cable.db (all processes), even if trimmed since. */
    public long lastStoredId() {
        return store.read(s -> s.queryLong("last_id"));
    }

    /** Messages currently kept in cable.db (all processes). */
    public long storedMessages() {
        return store.read(s -> s.queryLong("count"));
    }

    private void deliver(String channel, String payload) {
        List<Handle> list = subscribers.get(channel);
        if (list == null) {
            return;
        }
        for (Handle h : list) {
            if (h.open.get()) {
                try {
                    h.callback.accept(payload);
                } catch (RuntimeException e) {
                    LOG.warn("cable subscriber on '{}' failed: {}", channel, e.getMessage(), e);
                }
            }
        }
    }

    private void writeLoop() {
        List<Outgoing> batch = new ArrayList<>(settings.batchSize()); // no allocation between poll and add
        int sinceTrim = 0;
        while (running || !outbox.isEmpty()) {
            try {
                Outgoing first = outbox.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                outbox.drainTo(batch, settings.batchSize() - 1);
                insert(batch);
                sinceTrim += batch.size();
                if (sinceTrim >= settings.maxMessages()) {
                    // between the listener's trims too: a flood must not grow the file past max-messages for long
                    sinceTrim = 0;
                    trimToMaxMessages();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                // this thread must outlive any failure (an out-of-memory error included): a dead writer would
                // leave every later message in memory
                logSurvived("cable writer on " + store.path() + " failed, going on: ", e);
            } finally {
                for (Outgoing m : batch) {
                    pendingBytes.addAndGet(-m.bytes());
                }
                batch.clear();
            }
        }
    }

    private void insert(List<Outgoing> batch) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                store.write(s -> {
                    for (Outgoing m : batch) {
                        s.update("insert", m.channel(), m.payload(), origin, m.createdAt());
                    }
                    return null;
                });
                return;
            } catch (RuntimeException e) {
                if (attempt >= INSERT_TRIES) {
                    failures.error(
                            "cable could not write " + batch.size() + " messages to " + store.path() + " after "
                                    + attempt + " tries; other processes miss them: " + e.getMessage(),
                            e);
                    return;
                }
                failures.warn(
                        "cable write retry",
                        "cable write to " + store.path() + " failed (try " + attempt + "), retrying: "
                                + e.getMessage());
                Thread.sleep(10L * (1L << (2 * attempt)));
            }
        }
    }

    private void listenLoop() {
        long pause = settings.pollInterval().toNanos();
        while (running) {
            try {
                poll();
                if (System.nanoTime() - nextTrim >= 0) {
                    nextTrim = System.nanoTime() + settings.trimInterval().toNanos();
                    trim();
                    // counts of repeated failures, once per trim-interval (once per poll was a line every 20 ms)
                    failures.flush();
                }
            } catch (RuntimeException | Error e) {
                // as for the writer: a dead listener would stop delivery from other processes and the trimming
                if (running) {
                    logSurvived("cable listener on " + store.path() + " failed, retrying: ", e);
                }
            }
            LockSupport.parkNanos(pause);
        }
    }

    /** Logs a failure the loop survives; if even logging fails (out of memory), the loop still goes on. */
    private void logSurvived(String what, Throwable e) {
        try {
            failures.error(what + e, e);
        } catch (RuntimeException | Error ignored) {
            // nothing left to report it with
        }
    }

    /** Reads and delivers other processes' messages newer than the last one seen. */
    void poll() {
        List<Incoming> rows;
        do {
            long after = lastSeen;
            rows = store.read(s -> s.query(
                    "since",
                    rs -> new Incoming(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                    after,
                    settings.batchSize(),
                    origin));
            for (Incoming m : rows) {
                if (m.id() > lastSeen + 1) {
                    failures.warn(
                            "cable gap",
                            "cable: messages " + (lastSeen + 1) + ".." + (m.id() - 1)
                                    + " were trimmed before this process read them (more than app.cable.max-messages ("
                                    + settings.maxMessages() + ") were written while it was behind, or it was paused "
                                    + "longer than app.cable.retention (" + settings.retention() + "))");
                }
                lastSeen = m.id();
                if (!origin.equals(m.origin())) {
                    deliver(m.channel(), m.payload());
                }
            }
        } while (rows.size() == settings.batchSize() && running);
    }

    /** Writes queued messages, stops the threads and closes cable.db. Idempotent. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
            LockSupport.unpark(listener);
            listener.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            store.close();
        }
    }

    private final class Handle implements Subscription {
        private final String channel;
        private final Consumer<String> callback;
        private final AtomicBoolean open = new AtomicBoolean(true);

        Handle(String channel, Consumer<String> callback) {
            this.channel = channel;
            this.callback = callback;
        }

        @Override
        public String channel() {
            return channel;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                subscribers.computeIfPresent(channel, (c, list) -> {
                    list.remove(this);
                    return list.isEmpty() ? null : list;
                });
            }
        }
    }
}
