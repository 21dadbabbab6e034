package dev.litestack.todo.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsoleLoggingTest {

    @Test
    void logLevelWordsAnyCaseAndWarningAsAnAlias() {
        assertEquals(Optional.of(Level.DEBUG), ConsoleLogging.level("debug"));
        assertEquals(Optional.of(Level.INFO), ConsoleLogging.level(" INFO "));
        assertEquals(Optional.of(Level.WARN), ConsoleLogging.level("Warning"));
        assertEquals(Optional.of(Level.WARN), ConsoleLogging.level("warn"));
        assertEquals(Optional.of(Level.ERROR), ConsoleLogging.level("error"));
        assertEquals(Optional.of(Level.TRACE), ConsoleLogging.level("trace"));
        assertEquals(Optional.of(Level.OFF), ConsoleLogging.level("off"));
        assertEquals(Optional.empty(), ConsoleLogging.level("loud"));
        assertEquals(Optional.empty(), ConsoleLogging.level(""));
        assertEquals(Optional.empty(), ConsoleLogging.level(null));
    }

    @Test
    void oneConsoleAppenderPrintsTheAppsLineFormatAtTheGivenRootLevel() {
        LoggerContext context = new LoggerContext();
        ConsoleLogging.apply(context, Level.WARN);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.WARN, root.getLevel());
        List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
        root.iteratorForAppenders().forEachRemaining(appenders::add);
        assertEquals(1, appenders.size());
        ConsoleAppender<ILoggingEvent> console = assertInstanceOf(ConsoleAppender.class, appenders.get(0));
        assertTrue(console.isStarted());
        PatternLayoutEncoder encoder = assertInstanceOf(PatternLayoutEncoder.class, console.getEncoder());
        Logger logger = context.getLogger("dev.litestack.todo.todos.TodoController");
        LoggingEvent event = new LoggingEvent(Logger.FQCN, logger, Level.WARN, "slow {}", null, new Object[] {"page"});
        event.setThreadName("main");
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);
        assertTrue(
                line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[main\\] d\\.l\\.todo\\.todos\\.TodoController"
                        + " - slow page" + System.lineSeparator()),
                line);
        context.stop();
    }

    @Test
    void withoutAFileItSetsUpTheConsoleAndEndsLogbacksSearch() {
        LoggerContext context = new LoggerContext();
        assertEquals(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, new ConsoleLogging().configure(context));
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertInstanceOf(ConsoleAppender.class, root.getAppender("STDOUT"));
        Level expected = ConsoleLogging.level(System.getenv("LOG_LEVEL")).orElse(Level.INFO);
        assertEquals(expected, root.getLevel());
        context.stop();
    }

    @Test
    void aNamedConfigurationFileIsLeftToLogback() {
        LoggerContext context = new LoggerContext();
        String before = System.getProperty("logback.configurationFile");
        System.setProperty("logback.configurationFile", "/etc/app/logback.xml");
        try {
            assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, new ConsoleLogging().configure(context));
            assertNull(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDOUT"));
        } finally {
            if (before == null) {
                System.clearProperty("logback.configurationFile");
            } else {
                System.setProperty("logback.configurationFile", before);
            }
        }
        context.stop();
    }
}
