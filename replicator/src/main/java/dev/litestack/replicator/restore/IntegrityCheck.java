package dev.litestack.replicator.restore;

import java.util.Locale;

/**
 * How a restore checks the database it built before moving it into place ({@code -integrity-check}):
 * SQLite's {@code PRAGMA integrity_check} ({@link #FULL}, the default), {@code PRAGMA quick_check}
 * ({@link #QUICK}: every page and record, but not that each index matches its table), or nothing
 * ({@link #NONE}). Whatever the mode, every WAL frame's checksum chain and every LZ4 frame's content
 * checksum are verified while the restore applies them.
 */
public enum IntegrityCheck {
    NONE(null),
    QUICK("quick_check"),
    FULL("integrity_check");

    private final String pragma;

    IntegrityCheck(String pragma) {
        this.pragma = pragma;
    }

    /** The PRAGMA that runs this check, or null for {@link #NONE}. */
    public String pragma() {
        return pragma;
    }

    /** The mode's name on the command line: none, quick or full. */
    public String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a {@code -integrity-check} value; null if it names no mode. */
    public static IntegrityCheck parse(String value) {
        if (value == null) {
            return null;
        }
        for (IntegrityCheck c : values()) {
            if (c.flagValue().equals(value.toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        return null;
    }
}
