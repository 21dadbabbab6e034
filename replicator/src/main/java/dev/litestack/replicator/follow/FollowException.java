package dev.litestack.replicator.follow;

import java.io.IOException;

/** {@code restore -f} cannot go on as asked; the message says what to do. */
final class FollowException extends IOException {
    FollowException(String message) {
        super(message);
    }
}
