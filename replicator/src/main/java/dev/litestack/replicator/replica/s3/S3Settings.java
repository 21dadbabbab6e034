package dev.litestack.replicator.replica.s3;

import dev.litestack.replicator.config.S3Hosts;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Where and how an {@code s3} replica is stored. Values are checked once, here; a bad value
 * fails with the config key and the bound in the message.
 *
 * @param bucket          the bucket name (required)
 * @param prefix          the key prefix ({@code path} in the config); {@code ""} or {@code null} is
 *                        the bucket root. Cleaned with Go {@code path.Clean} semantics, so
 *                        {@code "a//b/"} and {@code "a/b"} give the same keys. A leading {@code /}
 *                        is rejected: Litestream 0.3.13 accepts it and then never finds its own objects.
 * @param region          the signing region; {@code null}: {@code us-east-1} when an endpoint is
 *                        set, else looked up with GetBucketLocation
 * @param endpoint        an S3-compatible endpoint, {@code null} for AWS. Without a scheme,
 *                        {@code localhost[:port]} gets {@code http://} and any other host {@code https://}
 * @param forcePathStyle  {@code https://host/bucket/key} instead of {@code https://bucket.host/key}
 * @param skipVerify      turn TLS certificate and host name checks off (see {@link #skipVerify()})
 * @param accessKeyId     static credentials; when both are {@code null} see {@link S3Clients#credentials}
 * @param secretAccessKey static credentials; never printed by {@link #toString()}
 * @param tuning          part size, retries and timeouts
 */
public record S3Settings(
        String bucket,
        String prefix,
        String region,
        String endpoint,
        boolean forcePathStyle,
        boolean skipVerify,
        String accessKeyId,
        String secretAccessKey,
        Tuning tuning) {

    /** S3's smallest part size for every part but the last. */
    static final int MIN_PART_SIZE = 5 * 1024 * 1024;

    static final int MAX_PART_SIZE = 1024 * 1024 * 1024;

    /**
     * Client tuning.
     *
     * @param partSize       bodies up to this size go in one PutObject, larger ones in parts of
     *                       this size; also the upload buffer (one part plus one byte per upload)
     * @param maxAttempts    attempts per API call, first one included (SDK standard retry mode)
     * @param connectTimeout TCP connect timeout
     * @param socketTimeout  read timeout: longest silence while waiting for response bytes
     * @param attemptTimeout upper bound of one attempt of one call, including the request body
     *                       (stops a stalled upload); not applied while the caller reads a download
     */
    public record Tuning(
            int partSize, int maxAttempts, Duration connectTimeout, Duration socketTimeout, Duration attemptTimeout) {

        public static final Tuning DEFAULTS =
                new Tuning(8 * 1024 * 1024, 3, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5));

        public Tuning {
            if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
                throw new IllegalArgumentException("s3 part-size must be between " + MIN_PART_SIZE + " and "
                        + MAX_PART_SIZE + " bytes, got " + partSize);
            }
            if (maxAttempts < 1 || maxAttempts > 10) {
                throw new IllegalArgumentException("s3 max-attempts must be between 1 and 10, got " + maxAttempts);
            }
            requirePositive("connect-timeout", connectTimeout);
            requirePositive("socket-timeout", socketTimeout);
            requirePositive("attempt-timeout", attemptTimeout);
        }

        public Tuning withPartSize(int newPartSize) {
            return new Tuning(newPartSize, maxAttempts, connectTimeout, socketTimeout, attemptTimeout);
        }

        public Tuning withMaxAttempts(int newMaxAttempts) {
            return new Tuning(partSize, newMaxAttempts, connectTimeout, socketTimeout, attemptTimeout);
        }

        private static void requirePositive(String key, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("s3 " + key + " must be positive, got " + d);
            }
        }
    }

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("s3 replica: bucket required");
        }
        prefix = prefix == null ? "" : prefix;
        if (prefix.startsWith("/")) {
            throw new IllegalArgumentException("s3 replica path must not start with '/' (got \"" + prefix
                    + "\"): the key prefix is relative to the bucket");
        }
        region = blankToNull(region);
        endpoint = blankToNull(endpoint);
        accessKeyId = blankToNull(accessKeyId);
        secretAccessKey = blankToNull(secretAccessKey);
        if ((accessKeyId == null) != (secretAccessKey == null)) {
            throw new IllegalArgumentException("s3 replica: access-key-id and secret-access-key must be set together ("
                    + (accessKeyId == null ? "access-key-id" : "secret-access-key") + " missing)");
        }
        S3Hosts.cleanPrefix(prefix); // fail fast on a prefix that climbs above the bucket
        if (endpoint != null) {
            normalizeEndpoint(endpoint); // fail fast on a malformed endpoint
        }
        tuning = tuning == null ? Tuning.DEFAULTS : tuning;
    }

    /** Settings for a bucket with every other value at its default (AWS, default credentials). */
    public static S3Settings of(String bucket, String prefix) {
        return new S3Settings(bucket, prefix, null, null, false, false, null, null, Tuning.DEFAULTS);
    }

    S3Settings withEndpoint(String newEndpoint, boolean newForcePathStyle) {
        return new S3Settings(
                bucket,
                prefix,
                region,
                newEndpoint,
                newForcePathStyle,
                skipVerify,
                accessKeyId,
                secretAccessKey,
                tuning);
    }

    S3Settings withCredentials(String newAccessKeyId, String newSecretAccessKey) {
        return new S3Settings(
                bucket,
                prefix,
                region,
                endpoint,
                forcePathStyle,
                skipVerify,
                newAccessKeyId,
                newSecretAccessKey,
                tuning);
    }

    S3Settings withRegion(String newRegion) {
        return new S3Settings(
                bucket, prefix, newRegion, endpoint, forcePathStyle, skipVerify, accessKeyId, secretAccessKey, tuning);
    }

    S3Settings withTuning(Tuning newTuning) {
        return new S3Settings(
                bucket, prefix, region, endpoint, forcePathStyle, skipVerify, accessKeyId, secretAccessKey, newTuning);
    }

    /**
     * Whether TLS verification is off. <b>Risk:</b> any certificate for any host is then accepted,
     * so anyone on the network path can read and alter replica data and capture the signed
     * requests. Use it only for a self-signed endpoint on a trusted network.
     */
    @Override
    public boolean skipVerify() {
        return skipVerify;
    }

    /** The endpoint as a URI with a scheme, if one is set. */
    Optional<URI> endpointUri() {
        return endpoint == null ? Optional.empty() : Optional.of(normalizeEndpoint(endpoint));
    }

    /** The cleaned key prefix without a trailing slash; {@code ""} for the bucket root. */
    public String root() {
        return S3Hosts.cleanPrefix(prefix);
    }

    /** The object key of {@code relative} (a {@code ReplicaLayout} key) under the prefix. */
    public String key(String relative) {
        String root = root();
        return S3Hosts.cleanPrefix(root.isEmpty() ? relative : root + "/" + relative);
    }

    /** {@code s3://bucket/prefix}, or {@code s3://bucket} for the bucket root. */
    public String describe() {
        String root = root();
        return "s3://" + bucket + (root.isEmpty() ? "" : "/" + root);
    }

    @Override
    public String toString() {
        return "S3Settings[bucket=" + bucket + ", prefix=" + prefix + ", region=" + region + ", endpoint=" + endpoint
                + ", forcePathStyle=" + forcePathStyle + ", skipVerify=" + skipVerify + ", accessKeyId="
                + accessKeyId + ", secretAccessKey=" + (secretAccessKey == null ? null : "****") + ", tuning="
                + tuning + "]";
    }

    /** The endpoint with a scheme, checked, as {@link S3Hosts#endpointWithScheme} gives it. */
    static URI normalizeEndpoint(String endpoint) {
        return URI.create(S3Hosts.endpointWithScheme(endpoint.trim()));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
