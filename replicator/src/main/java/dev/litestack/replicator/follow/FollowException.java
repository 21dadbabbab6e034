package dev.litestack.replicator.follow;

import java.io.IOException;

/** {@code restore -f} cannot go on as asked; the message says what to do. */
public final class FollowException extends IOException {
    public FollowException(String message) {
        super(message);
    }
}
