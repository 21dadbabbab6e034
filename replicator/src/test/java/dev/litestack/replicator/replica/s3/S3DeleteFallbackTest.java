package dev.litestack.replicator.replica.s3;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Which DeleteObjects failures make the client delete key by key: a server refusing how the SDK sends the request
 * (stock s3proxy's 501 for the checksum header; a server that wants Content-MD5), not a failure of the request itself.
 * Any 400 did, and for the rest of the process: one expired token on AWS then made every retention pass one request
 * per key.
 */
class S3DeleteFallbackTest {

    private static S3Exception error(int status, String code, String message) {
        return (S3Exception) S3Exception.builder()
                .statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode(code)
                        .errorMessage(message)
                        .build())
                .build();
    }

    @Test
    void onlyARefusalOfTheChecksumHeaderFallsBack() {
        assertTrue(S3ReplicaClient.refusesChecksumHeader(
                error(501, "NotImplemented", "A header you provided implies functionality that is not implemented.")));
        assertTrue(S3ReplicaClient.refusesChecksumHeader(
                error(400, "InvalidRequest", "DeleteObjects requires one valid Content-MD5 header")));
        assertTrue(S3ReplicaClient.refusesChecksumHeader(error(400, "MissingContentMD5", "Missing Content-MD5")));
        assertTrue(S3ReplicaClient.refusesChecksumHeader(
                error(400, "InvalidArgument", "x-amz-checksum-crc32 is not supported")));

        assertFalse(
                S3ReplicaClient.refusesChecksumHeader(error(400, "ExpiredToken", "The provided token has expired.")));
        assertFalse(S3ReplicaClient.refusesChecksumHeader(
                error(400, "RequestTimeout", "Your socket connection to the server was not read from")));
        assertFalse(S3ReplicaClient.refusesChecksumHeader(
                error(400, "BadDigest", "The Content-MD5 you specified did not match")));
        assertFalse(S3ReplicaClient.refusesChecksumHeader(error(403, "AccessDenied", "Access Denied")));
        assertFalse(
                S3ReplicaClient.refusesChecksumHeader(error(500, "InternalError", "We encountered an internal error")));
    }
}
