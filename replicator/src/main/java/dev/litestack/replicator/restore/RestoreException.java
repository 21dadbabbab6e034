package dev.litestack.replicator.restore;

import java.io.IOException;

/** A restore that cannot produce a correct database; the message names the object or condition. */
public class RestoreException extends IOException {
    public RestoreException(String message) {
        super(message);
    }

    public RestoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
