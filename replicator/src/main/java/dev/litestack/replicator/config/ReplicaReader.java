package dev.litestack.replicator.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads one entry of {@code dbs[].replicas} into a resolved {@link ReplicaConfig}. */
final class ReplicaReader {

    private static final List<String> COMMON_KEYS = List.of(
            "name",
            "type",
            "url",
            "path",
            "sync-interval",
            "snapshot-interval",
            "retention",
            "retention-check-interval",
            "validation-interval");
    private static final Set<String> S3_KEYS = Set.of(
            "bucket", "region", "endpoint", "force-path-style", "skip-verify", "access-key-id", "secret-access-key");
    private static final Set<String> ABS_KEYS = Set.of("account-name", "account-key");
    private static final Set<String> SFTP_KEYS = Set.of("host", "user", "password", "key-path");
    private static final List<String> ALL_KEYS;

    static {
        List<String> all = new ArrayList<>(COMMON_KEYS);
        all.addAll(S3_KEYS);
        all.addAll(ABS_KEYS);
        all.addAll(SFTP_KEYS);
        all.add("age");
        ALL_KEYS = List.copyOf(all);
    }

    /** The top-level {@code access-key-id} and {@code secret-access-key}, either may be null. */
    record GlobalKeys(String accessKeyId, String secretAccessKey) {}

    private final YamlMap m;
    private final Path cwd;
    private final Map<String, String> env;

    private ReplicaReader(YamlMap m, Path cwd, Map<String, String> env) {
        this.m = m;
        this.cwd = cwd;
        this.env = env;
    }

    static ReplicaConfig read(YamlMap m, GlobalKeys global, Path cwd, Map<String, String> env) throws ConfigException {
        return new ReplicaReader(m, cwd, env).read(global);
    }

    private ReplicaConfig read(GlobalKeys global) throws ConfigException {
        m.allowOnly(ALL_KEYS);
        String url = m.string("url");
        String path = m.string("path");
        if (path != null && ReplicaUrl.looksLikeUrl(path)) {
            throw ConfigException.at(m.key("path"), "replica path cannot be a url, please use the 'url' field instead");
        }
        ReplicaUrl.Parts parts = url == null ? null : split(url);
        String type = type(parts);
        for (String k : m.keys()) {
            if (S3_KEYS.contains(k) && !type.equals(ReplicaConfig.TYPE_S3)) {
                throw ConfigException.at(m.key(k), "only valid for s3 replicas (this is a " + type + " replica)");
            }
            if (ABS_KEYS.contains(k) || SFTP_KEYS.contains(k)) {
                String owner = ABS_KEYS.contains(k) ? "abs" : "sftp";
                throw ConfigException.at(
                        m.key(k), "only used by " + owner + " replicas, which this build does not support");
            }
        }
        if (url != null && path != null) {
            throw ConfigException.at(
                    m.key("path"),
                    "cannot be combined with url; put the "
                            + (type.equals(ReplicaConfig.TYPE_S3) ? "key prefix" : "directory")
                            + " in the url or drop the url");
        }
        if (url != null && m.has("bucket")) {
            throw ConfigException.at(
                    m.key("bucket"), "cannot be combined with url; put the bucket in the url or drop the url");
        }
        ReplicaConfig base = type.equals(ReplicaConfig.TYPE_S3) ? s3(url, parts, path, global) : file(url, parts, path);
        String name = m.string("name");
        return withIntervals(name == null ? type : name, base);
    }

    private ReplicaUrl.Parts split(String url) throws ConfigException {
        try {
            return ReplicaUrl.split(url);
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(m.key("url"), "\"" + url + "\": " + e.getMessage());
        }
    }

    /** The url scheme when a url is given (a different explicit type is an error), else type, else file. */
    private String type(ReplicaUrl.Parts parts) throws ConfigException {
        String explicit = m.string("type");
        if (parts != null) {
            if (explicit != null && !explicit.equals(parts.scheme())) {
                throw ConfigException.at(
                        m.key("type"),
                        "\"" + explicit + "\" conflicts with the url scheme \"" + parts.scheme()
                                + "\"; drop one of them");
            }
            if (!isSupported(parts.scheme())) {
                throw ConfigException.at(m.key("url"), ReplicaUrl.unsupported(parts.scheme()));
            }
            return parts.scheme();
        }
        String type = explicit == null ? ReplicaConfig.TYPE_FILE : explicit;
        if (!isSupported(type)) {
            throw ConfigException.at(m.key("type"), ReplicaUrl.unsupported(type));
        }
        return type;
    }

    private static boolean isSupported(String type) {
        return type.equals(ReplicaConfig.TYPE_FILE) || type.equals(ReplicaConfig.TYPE_S3);
    }

    private ReplicaConfig file(String url, ReplicaUrl.Parts parts, String path) throws ConfigException {
        if (parts != null) {
            try {
                return ReplicaUrl.fileReplica(url, ReplicaUrl.filePath(parts));
            } catch (IllegalArgumentException e) {
                throw ConfigException.at(m.key("url"), "\"" + url + "\": " + e.getMessage());
            }
        }
        if (path == null) {
            throw ConfigException.at(m.key("path"), "required for a file replica (or give url: file:///absolute/dir)");
        }
        try {
            return ReplicaUrl.fileReplica(null, LocalPaths.expand(path, cwd, env));
        } catch (InvalidPathException e) {
            throw ConfigException.at(m.key("path"), "invalid path \"" + path + "\": " + e.getReason());
        }
    }

    private ReplicaConfig s3(String url, ReplicaUrl.Parts parts, String path, GlobalKeys global)
            throws ConfigException {
        S3Hosts.HostParts host = null;
        if (parts != null) {
            try {
                host = S3Hosts.parseHost(parts.host(), parts.port());
            } catch (IllegalArgumentException e) {
                throw ConfigException.at(m.key("url"), "\"" + url + "\": " + e.getMessage());
            }
        }
        String bucket = host != null ? host.bucket() : m.string("bucket");
        if (bucket == null) {
            throw ConfigException.at(m.key("bucket"), "required for an s3 replica (or give url: s3://BUCKET/path)");
        }
        if (bucket.contains("/")) {
            throw ConfigException.at(
                    m.key("bucket"), "\"" + bucket + "\" cannot contain '/'; put the key prefix in path");
        }
        String prefix;
        try {
            prefix = S3Hosts.cleanPrefix(parts != null ? parts.path() : path);
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(m.key(parts != null ? "url" : "path"), e.getMessage());
        }
        String endpoint = m.string("endpoint");
        if (endpoint != null) {
            try {
                endpoint = S3Hosts.endpointWithScheme(endpoint);
            } catch (IllegalArgumentException e) {
                throw ConfigException.at(m.key("endpoint"), e.getMessage());
            }
        } else if (host != null) {
            endpoint = host.endpoint();
        }
        String region = m.string("region");
        if (region == null && host != null) {
            region = host.region();
        }
        if (region == null && endpoint != null) {
            region = "us-east-1";
        }
        boolean forcePathStyle = m.bool("force-path-style", endpoint != null);
        boolean skipVerify = m.bool("skip-verify", false);
        String keyId = m.string("access-key-id");
        String secret = m.string("secret-access-key");
        keyId = keyId != null ? keyId : global.accessKeyId();
        secret = secret != null ? secret : global.secretAccessKey();
        if ((keyId == null) != (secret == null)) {
            throw ConfigException.at(
                    m.path(),
                    (keyId == null ? "secret-access-key" : "access-key-id")
                            + " is set but " + (keyId == null ? "access-key-id" : "secret-access-key")
                            + " is not (give both, here or at the top level, or neither)");
        }
        ReplicaConfig r = ReplicaUrl.s3Replica(url, bucket, prefix, region, endpoint, forcePathStyle);
        return new ReplicaConfig(
                r.name(),
                r.type(),
                r.url(),
                null,
                bucket,
                prefix,
                region,
                endpoint,
                forcePathStyle,
                skipVerify,
                keyId,
                secret,
                r.syncInterval(),
                r.snapshotInterval(),
                r.retention(),
                r.retentionCheckInterval(),
                r.validationInterval());
    }

    private ReplicaConfig withIntervals(String name, ReplicaConfig r) throws ConfigException {
        Duration sync = m.positiveDuration("sync-interval", ReplicaConfig.DEFAULT_SYNC_INTERVAL);
        Duration snapshot = m.offOrPositiveDuration("snapshot-interval", Duration.ZERO);
        Duration retention = m.duration("retention", ReplicaConfig.DEFAULT_RETENTION);
        Duration check = m.positiveDuration("retention-check-interval", ReplicaConfig.DEFAULT_RETENTION_CHECK_INTERVAL);
        if (retention.compareTo(Duration.ZERO) > 0 && check.compareTo(retention) > 0) {
            check = retention;
        }
        Duration validation = m.offOrPositiveDuration("validation-interval", Duration.ZERO);
        return new ReplicaConfig(
                name,
                r.type(),
                r.url(),
                r.path(),
                r.bucket(),
                r.prefix(),
                r.region(),
                r.endpoint(),
                r.forcePathStyle(),
                r.skipVerify(),
                r.accessKeyId(),
                r.secretAccessKey(),
                sync,
                snapshot,
                retention,
                check,
                validation,
                age());
    }

    /** The {@code age} block, each key checked by parsing it (messages never echo a key). */
    private ReplicaConfig.Age age() throws ConfigException {
        YamlMap a = m.map("age");
        a.allowOnly(List.of("identities", "recipients"));
        ReplicaConfig.Age age = new ReplicaConfig.Age(a.stringList("identities"), a.stringList("recipients"));
        if (!age.enabled()) {
            if (m.has("age")) {
                throw ConfigException.at(
                        m.key("age"), "give identities (to read) and recipients (to write), or drop the block");
            }
            return age;
        }
        try {
            dev.litestack.replicator.util.AgeCodec.of(age.identities(), age.recipients());
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(a.path(), e.getMessage());
        }
        return age;
    }
}
