package dev.litestack.replicator.replica.s3;

import java.io.IOException;

/**
 * A failed S3 call, with a message that names the object and says what happened and what to
 * check. The {@link Reason} lets callers tell a configuration problem (that no retry will fix)
 * from an outage (that a later retry may).
 */
final class S3ReplicaException extends IOException {

    /** Why a call failed. */
    public enum Reason {
        /** Wrong or missing credentials, or no permission (HTTP 401/403). */
        ACCESS_DENIED(false),
        /** The bucket does not exist. */
        BUCKET_NOT_FOUND(false),
        /** The endpoint could not be reached: refused, unknown host, TLS failure, connection reset. */
        UNREACHABLE(true),
        /** A call or a read did not finish in time. */
        TIMEOUT(true),
        /** The server asked us to slow down (HTTP 429/503 SlowDown). */
        THROTTLED(true),
        /** HTTP 5xx. */
        SERVER_ERROR(true),
        /** Any other rejection: wrong region, bad request, a per-key delete error. */
        REQUEST_FAILED(false);

        private final boolean transientFailure;

        Reason(boolean transientFailure) {
            this.transientFailure = transientFailure;
        }

        /** Whether a later retry may succeed without a configuration change. */
        public boolean isTransient() {
            return transientFailure;
        }
    }

    private final Reason reason;

    S3ReplicaException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
