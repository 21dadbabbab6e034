package dev.litestack.replicator.util;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * One line per event, as text ({@code time=... level=INFO msg="..." db=...}, like Litestream's)
 * or as JSON. Key-value pairs follow the message: {@code log.info("replicating", "db", path)}.
 */
public final class Log {

    public enum Level {
        DEBUG,
        INFO,
        WARN,
        ERROR
    }

    private static volatile Log global = new Log(Level.INFO, false, System.err);

    private final Level level;
    private final boolean json;
    private final PrintStream out;

    public Log(Level level, boolean json, PrintStream out) {
        this.level = level;
        this.json = json;
        this.out = out;
    }

    public static Log get() {
        return global;
    }

    public static void configure(Log log) {
        global = log;
    }

    public static Level parseLevel(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "debug" -> Level.DEBUG;
            case "warn", "warning" -> Level.WARN;
            case "error" -> Level.ERROR;
            default -> Level.INFO;
        };
    }

    /**
     * An exception as a log value: its message, or its type when it has none. File-system
     * exceptions, whose message is often only a path, get their reason in words.
     */
    public static String describe(Throwable e) {
        if (e instanceof java.nio.file.FileSystemException fse) {
            return IoErrors.describe(fse);
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** The same log at another level. */
    public Log withLevel(Level l) {
        return new Log(l, json, out);
    }

    public boolean enabled(Level l) {
        return l.ordinal() >= level.ordinal();
    }

    public void debug(String msg, Object... kv) {
        log(Level.DEBUG, msg, kv);
    }

    public void info(String msg, Object... kv) {
        log(Level.INFO, msg, kv);
    }

    public void warn(String msg, Object... kv) {
        log(Level.WARN, msg, kv);
    }

    public void error(String msg, Object... kv) {
        log(Level.ERROR, msg, kv);
    }

    /**
     * Writes one event. A {@link Throwable} value is written as {@link #describe}; at level
     * {@code debug} its stack trace follows as the value of a {@code stack} key.
     */
    public void log(Level l, String msg, Object... kv) {
        if (!enabled(l)) {
            return;
        }
        kv = withStacks(kv);
        StringBuilder sb = new StringBuilder(128);
        String time = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
        if (json) {
            sb.append("{\"time\":\"")
                    .append(time)
                    .append("\",\"level\":\"")
                    .append(l)
                    .append("\",\"msg\":");
            jsonString(sb, msg);
            for (int i = 0; i + 1 < kv.length; i += 2) {
                sb.append(',');
                jsonString(sb, String.valueOf(kv[i]));
                sb.append(':');
                Object v = kv[i + 1];
                if (v instanceof Number || v instanceof Boolean) {
                    sb.append(v);
                } else {
                    jsonString(sb, String.valueOf(v));
                }
            }
            sb.append('}');
        } else {
            sb.append("time=").append(time).append(" level=").append(l).append(" msg=");
            textValue(sb, msg);
            for (int i = 0; i + 1 < kv.length; i += 2) {
                sb.append(' ').append(kv[i]).append('=');
                textValue(sb, String.valueOf(kv[i + 1]));
            }
        }
        synchronized (out) {
            out.println(sb);
        }
    }

    private Object[] withStacks(Object[] kv) {
        boolean any = false;
        for (int i = 1; i < kv.length && !any; i += 2) {
            any = kv[i] instanceof Throwable;
        }
        if (!any) {
            return kv;
        }
        java.util.List<Object> out = new java.util.ArrayList<>(kv.length + 2);
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (kv[i + 1] instanceof Throwable t) {
                out.add(kv[i]);
                out.add(describe(t));
                if (level == Level.DEBUG) {
                    out.add("stack");
                    out.add(stackTrace(t));
                }
            } else {
                out.add(kv[i]);
                out.add(kv[i + 1]);
            }
        }
        return out.toArray();
    }

    /** The stack trace of {@code t} and its causes, as {@link Throwable#printStackTrace()} writes it. */
    public static String stackTrace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString().stripTrailing();
    }

    private static void textValue(StringBuilder sb, String v) {
        boolean quote = v.isEmpty();
        for (int i = 0; i < v.length() && !quote; i++) {
            char c = v.charAt(i);
            quote = c <= ' ' || c == '"' || c == '=' || c > 126;
        }
        if (quote) {
            jsonString(sb, v);
        } else {
            sb.append(v);
        }
    }

    private static void jsonString(StringBuilder sb, String v) {
        Json.string(sb, v);
    }
}
