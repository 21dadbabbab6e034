package dev.litestack.replicator.sqlite;

import java.io.IOException;

/** WAL bytes that are not what SQLite writes: bad magic, checksum, salt or size. */
public class WalFormatException extends IOException {
    WalFormatException(String message) {
        super(message);
    }
}
