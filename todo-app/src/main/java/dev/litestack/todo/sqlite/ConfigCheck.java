package dev.litestack.todo.sqlite;

import io.micronaut.context.exceptions.ConfigurationException;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/** Start-up validation of settings: every message names the configuration key, the bound and the value. */
public final class ConfigCheck {

    private static final Set<String> SYNC_LEVELS = Set.of("OFF", "NORMAL", "FULL", "EXTRA");

    private ConfigCheck() {
    }

    public static Duration positive(String key, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new ConfigurationException(key + " must be a positive duration (e.g. 50ms, 5s), got " + value);
        }
        return value;
    }

    public static Duration atLeast(String key, Duration value, Duration min) {
        positive(key, value);
        if (value.compareTo(min) < 0) {
            throw new ConfigurationException(key + " must be at least " + min.toMillis() + "ms, got " + value.toMillis() + "ms");
        }
        return value;
    }

    public static long range(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigurationException(key + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    public static int range(String key, int value, int min, int max) {
        return (int) range(key, (long) value, min, (long) max);
    }

    public static double range(String key, double value, double min, double max) {
        if (Double.isNaN(value) || value < min || value > max) {
            throw new ConfigurationException(key + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    public static String notBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigurationException(key + " must not be blank");
        }
        return value.trim();
    }

    /** A file name inside the data folder: no separators, so the four files stay beside each other. */
    public static String fileName(String key, String value) {
        String name = notBlank(key, value);
        if (name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
            throw new ConfigurationException(key + " must be a plain file name inside app.data-dir, got '" + value + "'");
        }
        return name;
    }

    public static String synchronous(String key, String value) {
        String level = notBlank(key, value).toUpperCase(Locale.ROOT);
        if (!SYNC_LEVELS.contains(level)) {
            throw new ConfigurationException(key + " must be one of OFF, NORMAL, FULL, EXTRA, got '" + value + "'");
        }
        return level;
    }
}
