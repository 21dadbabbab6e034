package dev.litestack.replicator.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * One entry of {@code dbs[].replicas}, fully resolved: URL parts, provider host rules and defaults
 * are applied, so the replica and its client read nothing else.
 *
 * @param name                   unique within its database; defaults to the type
 * @param type                   {@code file} or {@code s3}
 * @param url                    the url as written, or null
 * @param path                   file: the replica directory, absolute and normalized; s3: null
 * @param bucket                 s3: the bucket; file: null
 * @param prefix                 s3: key prefix without leading or trailing {@code /}, {@code ""} for the bucket root; file: null
 * @param region                 s3: the region, or null to look it up with GetBucketLocation
 *                               ({@code us-east-1} is filled in whenever an endpoint is set)
 * @param endpoint               s3: endpoint URL with scheme, or null for AWS
 * @param forcePathStyle         s3: path-style requests (true whenever an endpoint is set, unless given)
 * @param skipVerify             s3: no TLS certificate verification
 * @param accessKeyId            s3: static access key id (the replica's, else the top-level one), or null
 * @param secretAccessKey        s3: static secret, or null; null pair = the S3 client's default chain
 * @param syncInterval           how often new WAL segments are uploaded; always > 0
 * @param snapshotInterval       ZERO = no interval snapshots
 * @param retention              ZERO or negative = retention off
 * @param retentionCheckInterval how often retention runs; never longer than {@code retention} when that is on
 * @param validationInterval     ZERO = off
 * @param age                    the {@code age} block: identity and recipient file texts (both empty = no encryption)
 */
public record ReplicaConfig(
        String name,
        String type,
        String url,
        Path path,
        String bucket,
        String prefix,
        String region,
        String endpoint,
        boolean forcePathStyle,
        boolean skipVerify,
        String accessKeyId,
        String secretAccessKey,
        Duration syncInterval,
        Duration snapshotInterval,
        Duration retention,
        Duration retentionCheckInterval,
        Duration validationInterval,
        Age age) {

    /** {@code age.identities} and {@code age.recipients} as written (after {@code $VAR} expansion); secret. */
    public record Age(java.util.List<String> identities, java.util.List<String> recipients) {
        public static final Age NONE = new Age(java.util.List.of(), java.util.List.of());

        public Age {
            identities = java.util.List.copyOf(identities);
            recipients = java.util.List.copyOf(recipients);
        }

        public boolean enabled() {
            return !identities.isEmpty() || !recipients.isEmpty();
        }

        @Override
        public String toString() {
            return "Age[identities=" + identities.size() + ", recipients=" + recipients.size() + "]";
        }
    }

    /** A replica without age encryption. */
    ReplicaConfig(
            String name,
            String type,
            String url,
            Path path,
            String bucket,
            String prefix,
            String region,
            String endpoint,
            boolean forcePathStyle,
            boolean skipVerify,
            String accessKeyId,
            String secretAccessKey,
            Duration syncInterval,
            Duration snapshotInterval,
            Duration retention,
            Duration retentionCheckInterval,
            Duration validationInterval) {
        this(
                name,
                type,
                url,
                path,
                bucket,
                prefix,
                region,
                endpoint,
                forcePathStyle,
                skipVerify,
                accessKeyId,
                secretAccessKey,
                syncInterval,
                snapshotInterval,
                retention,
                retentionCheckInterval,
                validationInterval,
                Age.NONE);
    }

    static final String TYPE_FILE = "file";
    static final String TYPE_S3 = "s3";
    public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);
    public static final Duration DEFAULT_RETENTION_CHECK_INTERVAL = Duration.ofHours(1);

    public ReplicaConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(syncInterval, "syncInterval");
        Objects.requireNonNull(snapshotInterval, "snapshotInterval");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(retentionCheckInterval, "retentionCheckInterval");
        Objects.requireNonNull(validationInterval, "validationInterval");
        Objects.requireNonNull(age, "age");
    }

    /**
     * Where the replica's objects live, as a key for comparing replicas: two replicas with the same
     * location would write their generations into one another's.
     */
    public String location() {
        if (TYPE_FILE.equals(type)) {
            return "file://" + path;
        }
        return (endpoint == null ? "" : endpoint + " ") + "s3://" + bucket + "/" + prefix;
    }

    /** A file replica in {@code dir} with every interval at its default. */
    public static ReplicaConfig file(Path dir) {
        return new ReplicaConfig(
                TYPE_FILE,
                TYPE_FILE,
                null,
                dir.toAbsolutePath().normalize(),
                null,
                null,
                null,
                null,
                false,
                false,
                null,
                null,
                DEFAULT_SYNC_INTERVAL,
                Duration.ZERO,
                DEFAULT_RETENTION,
                DEFAULT_RETENTION_CHECK_INTERVAL,
                Duration.ZERO);
    }

    public boolean isS3() {
        return TYPE_S3.equals(type);
    }

    boolean retentionEnabled() {
        return retention.compareTo(Duration.ZERO) > 0;
    }

    /** The same replica under another name. */
    public ReplicaConfig withName(String newName) {
        return new ReplicaConfig(
                newName,
                type,
                url,
                path,
                bucket,
                prefix,
                region,
                endpoint,
                forcePathStyle,
                skipVerify,
                accessKeyId,
                secretAccessKey,
                syncInterval,
                snapshotInterval,
                retention,
                retentionCheckInterval,
                validationInterval,
                age);
    }

    /** Hides the secret, so a logged config never leaks it. */
    @Override
    public String toString() {
        return "ReplicaConfig[name=" + name + ", type=" + type + ", url=" + url + ", path=" + path
                + ", bucket=" + bucket + ", prefix=" + prefix + ", region=" + region + ", endpoint=" + endpoint
                + ", forcePathStyle=" + forcePathStyle + ", skipVerify=" + skipVerify
                + ", accessKeyId=" + accessKeyId + ", secretAccessKey=" + (secretAccessKey == null ? null : "***")
                + ", syncInterval=" + syncInterval + ", snapshotInterval=" + snapshotInterval
                + ", retention=" + retention + ", retentionCheckInterval=" + retentionCheckInterval
                + ", validationInterval=" + validationInterval + ", age=" + age + "]";
    }
}
