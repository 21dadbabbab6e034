package dev.litestack.replicator.util.slf4j;

import dev.litestack.replicator.util.Log;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * One SLF4J logger, writing to the process-wide {@link Log} (read at each call, so it follows the
 * {@code logging} settings once they are loaded). Levels map one to one, TRACE to DEBUG. Library
 * DEBUG and TRACE messages are dropped even at {@code level: debug}: the AWS SDK writes every
 * request and header there, which would bury the replicator's own debug lines.
 */
final class LogAdapter extends LegacyAbstractLogger {

    private static final long serialVersionUID = 1L;

    LogAdapter(String name) {
        this.name = name;
    }

    static Log.Level level(Level l) {
        return switch (l) {
            case TRACE, DEBUG -> Log.Level.DEBUG;
            case INFO -> Log.Level.INFO;
            case WARN -> Log.Level.WARN;
            case ERROR -> Log.Level.ERROR;
        };
    }

    private static boolean enabled(Level l) {
        Log.Level ours = level(l);
        return ours != Log.Level.DEBUG && Log.get().enabled(ours);
    }

    @Override
    public boolean isTraceEnabled() {
        return enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
            Level level, Marker marker, String pattern, Object[] arguments, Throwable throwable) {
        if (!enabled(level)) {
            return;
        }
        String msg = MessageFormatter.basicArrayFormat(pattern, arguments);
        if (throwable == null) {
            Log.get().log(level(level), msg, "logger", name);
        } else {
            Log.get().log(level(level), msg, "logger", name, "error", throwable);
        }
    }
}
