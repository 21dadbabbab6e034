package dev.litestack.replicator.cli;

import dev.litestack.replicator.config.LoggingConfig;
import dev.litestack.replicator.exec.ExitCodes;
import dev.litestack.replicator.util.Log;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code -log-level}: the level of the process log, over {@code $LOG_LEVEL} and (for {@code replicate}) the
 * config's {@code logging.level}. An option of every command that logs.
 */
final class LogLevelOption {

    String logLevel;

    /** Adds -log-level to a command. */
    LogLevelOption addTo(CommandSpec s) {
        Specs.option(
                s,
                "-log-level",
                "LEVEL",
                String.class,
                "debug, info, warn or error (default: $LOG_LEVEL, else logging.level in the config for replicate, "
                        + "else info). At debug, errors are logged with their stack traces.",
                v -> logLevel = v);
        return this;
    }

    /** The config's logging section with the level from -log-level, else $LOG_LEVEL, when either is given. */
    LoggingConfig apply(LoggingConfig fromFile, Map<String, String> env) throws CliException {
        String given = logLevel != null ? logLevel : env.get("LOG_LEVEL");
        if (given == null || given.isBlank()) {
            return fromFile;
        }
        String level = given.trim().toLowerCase(Locale.ROOT);
        level = "warning".equals(level) ? "warn" : level;
        if (!List.of("debug", "info", "warn", "error").contains(level)) {
            throw new CliException(
                    "unknown log level \"" + given + "\" (from " + (logLevel != null ? "-log-level" : "LOG_LEVEL")
                            + "; want debug, info, warn or error)",
                    ExitCodes.USAGE);
        }
        return new LoggingConfig(level, fromFile.type(), fromFile.stderr());
    }

    /**
     * For the commands other than {@code replicate}, which log as text to stderr whatever the config says: sets
     * the process log's level from -log-level, else $LOG_LEVEL, when either is given, and returns the process log.
     */
    Log configure(Map<String, String> env) throws CliException {
        LoggingConfig stderrText = new LoggingConfig(LoggingConfig.DEFAULT_LEVEL, LoggingConfig.DEFAULT_TYPE, true);
        LoggingConfig lc = apply(stderrText, env);
        return lc == stderrText ? Log.get() : Main.configureLogging(lc);
    }
}
