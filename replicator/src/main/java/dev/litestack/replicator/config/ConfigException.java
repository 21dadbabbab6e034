package dev.litestack.replicator.config;

/**
 * A configuration that cannot be used. The message is complete and meant for the user as is:
 * it names the key with its location ({@code dbs[0].replicas[1].sync-interval: ...}), or the
 * file for problems with the file itself.
 */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The key path the message is about ({@code dbs[0].path}), or null when about the whole file. */
    private final String key;

    ConfigException(String message) {
        this(message, null, null);
    }

    ConfigException(String message, Throwable cause) {
        this(message, null, cause);
    }

    ConfigException(String message, String key, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    /** Builds the message {@code <key>: <problem>}. */
    static ConfigException at(String key, String problem) {
        return new ConfigException(key + ": " + problem, key, null);
    }

    /** The key path the message is about, such as {@code dbs[0].replicas[1].sync-interval}, or null. */
    public String key() {
        return key;
    }
}
