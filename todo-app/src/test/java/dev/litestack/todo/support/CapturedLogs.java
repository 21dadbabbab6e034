package dev.litestack.todo.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Every log event of the JVM while open (root logger), as the console would print it: message plus stack trace. */
public final class CapturedLogs extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    /** One captured event: level, logger, message and the printed stack trace ("" without one). */
    public record Line(String level, String logger, String message, String stackTrace) {
        public int length() {
            return message.length() + stackTrace.length();
        }
    }

    public final List<Line> lines = new CopyOnWriteArrayList<>();

    public static CapturedLogs capture() {
        CapturedLogs logs = new CapturedLogs();
        logs.setContext(root().getLoggerContext());
        logs.start();
        root().addAppender(logs);
        return logs;
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    @Override
    protected void append(ILoggingEvent event) {
        String trace = event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy());
        lines.add(new Line(event.getLevel().toString(), event.getLoggerName(), event.getFormattedMessage(), trace));
    }

    /** The lines whose message or stack trace contains {@code text}. */
    public List<Line> containing(String text) {
        return lines.stream()
                .filter(l -> l.message().contains(text) || l.stackTrace().contains(text))
                .toList();
    }

    /** Characters logged (messages and stack traces) by the lines that contain {@code text}. */
    public long charsContaining(String text) {
        return containing(text).stream().mapToLong(Line::length).sum();
    }

    @Override
    public void close() {
        root().detachAppender(this);
        stop();
    }
}
