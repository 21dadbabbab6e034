package dev.litestack.todo.logging;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * A log that stays short however often the same thing fails. The first failure of a kind (exception class and
 * message, digits ignored) is logged in full, with its stack trace; the same failure again is only counted, and
 * the count is logged as one line per interval ({@link #flush}, also run by the next occurrence once the interval
 * has passed). A flood of identical failures, a disk that is full for minutes, a loop that fails every few
 * milliseconds: each costs one stack trace and then one line a minute, so the log never fills the disk it reports
 * on. At most {@code maxKinds} kinds are tracked; failures of further kinds are counted together.
 */
public final class QuietLog {

    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final String OTHER = "(other kinds of failure)";

    private final Logger log;
    private final Clock clock;
    private final Duration interval;
    private final int maxKinds;
    private final Map<String, Kind> kinds = new ConcurrentHashMap<>();

    private static final class Kind {
        final String summary;
        final AtomicLong repeats = new AtomicLong();
        volatile long windowStart;

        Kind(String summary, long now) {
            this.summary = summary;
            this.windowStart = now;
        }
    }

    public QuietLog(Logger log, Clock clock, Duration interval, int maxKinds) {
        this.log = log;
        this.clock = clock;
        this.interval = interval;
        this.maxKinds = maxKinds;
    }

    /** The kind of a failure: the class and message of its root cause, digits replaced, so ids do not split it. */
    public static String kindOf(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = failure == root
                ? String.valueOf(failure.getMessage())
                : failure.getMessage() + " / " + root.getMessage();
        return failure.getClass().getName() + ": " + DIGITS.matcher(message).replaceAll("#");
    }

    /** Logs {@code message} at ERROR with {@code failure}'s stack trace, unless the same kind was logged recently. */
    public void error(String message, Throwable failure) {
        report(kindOf(failure), message, failure, true);
    }

    /** Logs {@code message} at WARN (no stack trace), unless a message of {@code kind} was logged recently. */
    public void warn(String kind, String message) {
        report(kind, message, null, false);
    }

    private void report(String key, String message, Throwable failure, boolean error) {
        long now = clock.millis();
        Kind kind = kinds.get(key);
        if (kind == null) {
            if (kinds.size() >= maxKinds) {
                kind = kinds.computeIfAbsent(OTHER, k -> new Kind(OTHER, now));
                kind.repeats.incrementAndGet();
                return;
            }
            Kind fresh = new Kind(message, now);
            kind = kinds.putIfAbsent(key, fresh);
            if (kind == null) {
                if (error) {
                    log.error("{}", message, failure);
                } else {
                    log.warn("{}", message);
                }
                return;
            }
        }
        kind.repeats.incrementAndGet();
        if (now - kind.windowStart >= interval.toMillis()) {
            summarise(kind, now);
        }
    }

    /**
     * Logs one line per kind that repeated since its last line, with the count; forgets kinds that stayed quiet for
     * a whole interval (so their next failure is logged in full again). Returns the number of lines logged.
     */
    public int flush() {
        long now = clock.millis();
        int lines = 0;
        for (Iterator<Kind> it = kinds.values().iterator(); it.hasNext(); ) {
            Kind kind = it.next();
            if (kind.repeats.get() > 0) {
                if (summarise(kind, now)) {
                    lines++;
                }
            } else if (now - kind.windowStart >= interval.toMillis()) {
                it.remove();
            }
        }
        return lines;
    }

    private boolean summarise(Kind kind, long now) {
        long n = kind.repeats.getAndSet(0);
        if (n == 0) {
            return false;
        }
        Duration window = Duration.ofMillis(Math.max(0, now - kind.windowStart));
        kind.windowStart = now;
        log.warn("{} (repeated {} more times in the last {} s)", kind.summary, n, window.toSeconds());
        return true;
    }

    /** Kinds currently tracked (for tests and health). */
    public int trackedKinds() {
        return kinds.size();
    }
}
