package dev.litestack.replicator.config;

import java.util.Objects;

/**
 * The {@code logging} section.
 *
 * @param level  {@code debug}, {@code info}, {@code warn} or {@code error} (normalized)
 * @param type   {@code text} or {@code json} (normalized to lower case)
 * @param stderr log to stderr instead of stdout
 */
public record LoggingConfig(String level, String type, boolean stderr) {

    public static final String DEFAULT_LEVEL = "info";
    public static final String DEFAULT_TYPE = "text";

    public LoggingConfig {
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(type, "type");
    }

    /** Level {@code info}, type {@code text}, to stdout. */
    public static LoggingConfig defaults() {
        return new LoggingConfig(DEFAULT_LEVEL, DEFAULT_TYPE, false);
    }
}
