package dev.litestack.replicator.cli;

import dev.litestack.replicator.exec.ExitCodes;

/** A failure reported to the user as one line on stderr and a non-zero exit code. */
final class CliException extends Exception {

    private final int exitCode;

    public CliException(String message) {
        this(message, ExitCodes.ERROR);
    }

    public CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
