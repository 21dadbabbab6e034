package dev.litestack.todo.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Locale;
import java.util.Optional;

/**
 * The app's logging, set up in code rather than from a logback.xml: one console appender printing
 * {@value #PATTERN}, the root level from the {@code LOG_LEVEL} environment variable ({@code debug}, {@code info},
 * {@code warn} or {@code warning}, {@code error}, {@code trace}, {@code off}, any case; {@code info} without it).
 * Parsing an XML configuration cost about 80 ms of every start (first page 656 -> 575 ms).
 *
 * <p>Logback finds this class through {@code META-INF/services} and runs it before its own configurators. A
 * configuration file named by {@code -Dlogback.configurationFile}, or a {@code logback-test.xml} on the class path,
 * still wins: then this class steps aside and logback reads that file as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class ConsoleLogging extends ContextAwareBase implements Configurator {

    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";
    static final String LEVEL_VARIABLE = "LOG_LEVEL";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || ConsoleLogging.class.getClassLoader().getResource("logback-test.xml") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        String setting = System.getenv(LEVEL_VARIABLE);
        Optional<Level> level = level(setting);
        apply(context, level.orElse(Level.INFO));
        if (level.isEmpty() && setting != null && !setting.isBlank()) {
            context.getLogger(ConsoleLogging.class)
                    .warn(
                            "{}={} is not a log level (debug, info, warn, error, trace, off); logging at info",
                            LEVEL_VARIABLE,
                            setting);
        }
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** The level a {@code LOG_LEVEL} value names; empty for none or for a word that is not a level. */
    static Optional<Level> level(String setting) {
        if (setting == null) {
            return Optional.empty();
        }
        return switch (setting.trim().toLowerCase(Locale.ROOT)) {
            case "trace" -> Optional.of(Level.TRACE);
            case "debug" -> Optional.of(Level.DEBUG);
            case "info" -> Optional.of(Level.INFO);
            case "warn", "warning" -> Optional.of(Level.WARN);
            case "error" -> Optional.of(Level.ERROR);
            case "off" -> Optional.of(Level.OFF);
            default -> Optional.empty();
        };
    }

    /** Gives {@code context} the console appender and the root level. */
    static void apply(LoggerContext context, Level rootLevel) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("STDOUT");
        console.setEncoder(encoder);
        console.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(rootLevel);
        root.addAppender(console);
    }
}
