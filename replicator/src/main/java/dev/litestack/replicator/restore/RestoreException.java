package dev.litestack.replicator.restore;

import java.io.IOException;

/** A restore that cannot produce a correct database; the message names the object or condition. */
public class RestoreException extends IOException {
    RestoreException(String message) {
        super(message);
    }

    RestoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
