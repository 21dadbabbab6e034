package dev.litestack.replicator.exec;

/** Every exit code of the CLI, in one place. */
public final class ExitCodes {
    /** Success (also: nothing to do with -if-db-not-exists / -if-replica-exists). */
    public static final int OK = 0;
    /** A runtime failure: bad config, unreachable replica, failed restore, failed final sync. */
    public static final int ERROR = 1;
    /** Bad command line: unknown flag, missing argument, malformed value. */
    public static final int USAGE = 2;
    /** The -exec child could not be started. */
    public static final int EXEC_FAILED = 127;

    private ExitCodes() {}
}
