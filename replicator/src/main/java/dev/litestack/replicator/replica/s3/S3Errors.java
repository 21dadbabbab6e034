package dev.litestack.replicator.replica.s3;

import dev.litestack.replicator.replica.s3.S3ReplicaException.Reason;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns SDK exceptions into {@link IOException}s whose message names the object
 * ({@code s3://bucket/key}), the operation and what to check. The only place that inspects
 * AWS error codes.
 */
final class S3Errors {

    private static final Set<String> CREDENTIAL_CODES = Set.of(
            "InvalidAccessKeyId",
            "SignatureDoesNotMatch",
            "InvalidToken",
            "ExpiredToken",
            "TokenRefreshRequired",
            "InvalidSecurity");
    private static final Set<String> REGION_CODES = Set.of(
            "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException", "InvalidRegion");
    private static final Set<String> THROTTLE_CODES =
            Set.of("SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequests");

    private final String bucket;
    private final String endpoint;

    /**
     * @param bucket   the bucket, for messages
     * @param endpoint how the server is reached, for messages: the endpoint URL or {@code AWS S3 (region r)}
     */
    S3Errors(String bucket, String endpoint) {
        this.bucket = bucket;
        this.endpoint = endpoint;
    }

    String object(String key) {
        return key == null || key.isEmpty() ? "s3://" + bucket : "s3://" + bucket + "/" + key;
    }

    /** {@code NoSuchFileException} for a missing key; otherwise as {@link #map}. */
    IOException mapRead(String op, String key, SdkException e) {
        if (e instanceof AwsServiceException ase && ase.statusCode() == 404 && !"NoSuchBucket".equals(code(ase))) {
            NoSuchFileException nsf = new NoSuchFileException(object(key), null, "no such object");
            nsf.initCause(e);
            return nsf;
        }
        return map(op, key, e);
    }

    /** An exception for a failed {@code op} ("list", "put", ...) on {@code key} (or a prefix). */
    IOException map(String op, String key, SdkException e) {
        String where = op + " " + object(key) + ": ";
        if (e instanceof AwsServiceException ase) {
            return mapService(where, ase);
        }
        if (e instanceof AbortedException || Thread.currentThread().isInterrupted()) {
            InterruptedIOException iio = new InterruptedIOException(where + "interrupted");
            iio.initCause(e);
            return iio;
        }
        if (e instanceof ApiCallAttemptTimeoutException || e instanceof ApiCallTimeoutException) {
            return new S3ReplicaException(
                    Reason.TIMEOUT, where + "no answer from " + endpoint + " in time (" + e.getMessage() + ")", e);
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("Unable to load credentials")) {
            return new S3ReplicaException(
                    Reason.ACCESS_DENIED,
                    where + "no credentials found (set access-key-id and "
                            + "secret-access-key, LITESTREAM_ACCESS_KEY_ID and LITESTREAM_SECRET_ACCESS_KEY, or AWS "
                            + "credentials)",
                    e);
        }
        return mapTransport(where, e);
    }

    private IOException mapService(String where, AwsServiceException e) {
        int status = e.statusCode();
        String code = code(e);
        String detail = describeCode(code, status, e);
        if ("NoSuchBucket".equals(code)) {
            return new S3ReplicaException(Reason.BUCKET_NOT_FOUND, where + "bucket not found: " + bucket, e);
        }
        if (CREDENTIAL_CODES.contains(code)) {
            return new S3ReplicaException(
                    Reason.ACCESS_DENIED,
                    where + "access denied (check access-key-id/secret-access-key): " + detail,
                    e);
        }
        if (status == 401 || status == 403) {
            return new S3ReplicaException(
                    Reason.ACCESS_DENIED,
                    where + "access denied (check the credentials and " + "the permissions on bucket " + bucket + "): "
                            + detail,
                    e);
        }
        if (REGION_CODES.contains(code) || status == 301) {
            return new S3ReplicaException(
                    Reason.REQUEST_FAILED,
                    where + "wrong region or endpoint for bucket " + bucket + " (set region): " + detail,
                    e);
        }
        if (THROTTLE_CODES.contains(code) || status == 429) {
            return new S3ReplicaException(Reason.THROTTLED, where + "throttled by " + endpoint + ": " + detail, e);
        }
        if (status >= 500) {
            return new S3ReplicaException(
                    Reason.SERVER_ERROR, where + "server error from " + endpoint + ": " + detail, e);
        }
        return new S3ReplicaException(Reason.REQUEST_FAILED, where + "request rejected: " + detail, e);
    }

    private IOException mapTransport(String where, SdkException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof InterruptedException
                    || c instanceof InterruptedIOException && !(c instanceof SocketTimeoutException)) {
                InterruptedIOException iio = new InterruptedIOException(where + "interrupted");
                iio.initCause(e);
                return iio;
            }
            if (c instanceof UnknownHostException) {
                return unreachable(where, "unknown host " + c.getMessage(), e);
            }
            if (c instanceof ConnectException || c instanceof NoRouteToHostException) {
                return unreachable(where, lower(c.getMessage(), "connection failed"), e);
            }
            if (c instanceof SocketTimeoutException) {
                return new S3ReplicaException(
                        Reason.TIMEOUT,
                        where + "timed out talking to " + endpoint + ": " + lower(c.getMessage(), "read timed out"),
                        e);
            }
            if (c instanceof SSLException) {
                return unreachable(
                        where,
                        "TLS failure (" + c.getMessage() + "; skip-verify turns certificate "
                                + "checks off, at a security cost)",
                        e);
            }
            if (c instanceof SocketException) {
                return unreachable(where, lower(c.getMessage(), "connection error"), e);
            }
        }
        return new S3ReplicaException(
                Reason.UNREACHABLE, where + "request to " + endpoint + " failed: " + e.getMessage(), e);
    }

    private S3ReplicaException unreachable(String where, String what, SdkException e) {
        return new S3ReplicaException(Reason.UNREACHABLE, where + "cannot reach endpoint " + endpoint + ": " + what, e);
    }

    static String code(AwsServiceException e) {
        AwsErrorDetails d = e.awsErrorDetails();
        return d == null || d.errorCode() == null ? "" : d.errorCode();
    }

    private static String describeCode(String code, int status, AwsServiceException e) {
        AwsErrorDetails d = e.awsErrorDetails();
        String msg = d == null || d.errorMessage() == null ? "" : ": " + d.errorMessage();
        return (code.isEmpty() ? "error" : code) + " (HTTP " + status + ")" + msg;
    }

    private static String lower(String message, String fallback) {
        if (message == null || message.isBlank()) {
            return fallback;
        }
        String m = message.trim();
        return m.substring(0, 1).toLowerCase(Locale.ROOT) + m.substring(1);
    }
}
