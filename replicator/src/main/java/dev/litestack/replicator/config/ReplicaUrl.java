package dev.litestack.replicator.config;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replica URLs: {@code file:///abs/dir} and {@code s3://BUCKET/prefix}, including the provider
 * hosts of Litestream ({@code s3://BKT.localhost:9000/p}, {@code s3://BKT.s3.REGION.backblazeb2.com/p}, ...).
 */
public final class ReplicaUrl {

    /** Types Litestream 0.3.13 knows but this build does not implement. */
    static final Set<String> UNSUPPORTED_TYPES = Set.of("gcs", "abs", "sftp");

    /** Litestream's {@code isURL}: the replica {@code path} field must not look like this. */
    private static final Pattern LOOKS_LIKE_URL = Pattern.compile("^\\w+://.*", Pattern.DOTALL);

    private static final Pattern URL = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$", Pattern.DOTALL);

    /**
     * The pieces of a URL.
     *
     * @param scheme lower case
     * @param host   without port; may be empty
     * @param port   digits, or null
     * @param path    percent-decoded, as written otherwise (starts with {@code /} or is empty)
     * @param rawPath the path exactly as written (a file URL's folder is named after it)
     */
    record Parts(String scheme, String host, String port, String path, String rawPath) {}

    private ReplicaUrl() {}

    /**
     * Parses a replica URL into a replica with every other setting at its default (name = type,
     * no credentials: the S3 client uses its default chain).
     *
     * @param env the process environment; URL parsing does not depend on it today
     * @throws ConfigException naming the URL and what is wrong with it
     */
    public static ReplicaConfig parse(String url, Map<String, String> env) throws ConfigException {
        try {
            Parts parts = split(url);
            return switch (parts.scheme()) {
                case ReplicaConfig.TYPE_FILE -> fileReplica(url, filePath(parts));
                case ReplicaConfig.TYPE_S3 -> {
                    S3Hosts.HostParts h = S3Hosts.parseHost(parts.host(), parts.port());
                    yield s3Replica(
                            url,
                            h.bucket(),
                            S3Hosts.cleanPrefix(parts.path()),
                            h.endpoint() != null && h.region() == null ? "us-east-1" : h.region(),
                            h.endpoint(),
                            h.forcePathStyle());
                }
                default -> throw new IllegalArgumentException(unsupported(parts.scheme()));
            };
        } catch (IllegalArgumentException e) {
            throw new ConfigException("replica url \"" + url + "\": " + e.getMessage());
        }
    }

    /** True if {@code s} starts like a URL ({@code word://}); Litestream's test for the path field. */
    static boolean looksLikeUrl(String s) {
        return LOOKS_LIKE_URL.matcher(s).matches();
    }

    /** The message for a scheme or type that is not file or s3. */
    static String unsupported(String type) {
        if (UNSUPPORTED_TYPES.contains(type)) {
            return "replica type " + type + " is not supported by this build";
        }
        return "unknown replica type \"" + type + "\" (want file or s3)";
    }

    /**
     * Splits {@code scheme://host[:port]/path}.
     *
     * @throws IllegalArgumentException with the problem
     */
    static Parts split(String url) {
        Matcher m = URL.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a url (want file:///absolute/dir or s3://bucket/path)");
        }
        String scheme = m.group(1).toLowerCase();
        String rest = m.group(2);
        if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
            throw new IllegalArgumentException("query strings and fragments are not supported");
        }
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash);
        if (authority.indexOf('@') >= 0) {
            throw new IllegalArgumentException("user info (user@host) is not supported");
        }
        String host = authority;
        String port = null;
        int colon =
                authority.startsWith("[") ? authority.indexOf(':', authority.indexOf(']')) : authority.lastIndexOf(':');
        if (colon >= 0) {
            host = authority.substring(0, colon);
            port = authority.substring(colon + 1);
            if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException("invalid port \"" + port + "\"");
            }
        }
        return new Parts(scheme, decode(host), port, decode(path), path);
    }

    /**
     * The directory of a {@code file://} URL: it must have no host and an absolute path. The folder is
     * named as Litestream names it: by the path in its escaped form (Go's {@code URL.EscapedPath}),
     * not decoded, so {@code file:///backups/my%20app} and {@code file:///backups/my app} both mean
     * the folder {@code /backups/my%20app}, and both tools read and write the same one.
     */
    static Path filePath(Parts parts) {
        if (!parts.host().isEmpty() || parts.port() != null) {
            throw new IllegalArgumentException("a file url has no host; write file:///absolute/dir (three slashes)");
        }
        if (parts.path().isEmpty()) {
            throw new IllegalArgumentException("no directory (want file:///absolute/dir)");
        }
        return Path.of(escapedPath(parts.rawPath())).normalize();
    }

    /** Go's {@code URL.EscapedPath} of a path written as {@code raw}: raw when it is validly escaped, else re-escaped. */
    static String escapedPath(String raw) {
        byte[] decoded = decodeBytes(raw); // rejects a bad escape, as Go's parser does; escaped byte by byte, as Go
        boolean valid = true;
        for (int i = 0; i < raw.length() && valid; i++) {
            char c = raw.charAt(i);
            valid = c == '%' || "!$&'()*+,;=:@[]".indexOf(c) >= 0 || !mustEscapeInPath(c);
        }
        if (valid) {
            return raw;
        }
        StringBuilder out = new StringBuilder();
        for (byte b : decoded) {
            int v = b & 0xff;
            if (v < 0x80 && !mustEscapeInPath((char) v)) {
                out.append((char) v);
            } else {
                out.append('%').append(HEX.charAt(v >> 4)).append(HEX.charAt(v & 0xf));
            }
        }
        return out.toString();
    }

    private static final String HEX = "0123456789ABCDEF";

    /** Go's {@code shouldEscape(c, encodePath)}: all but letters, digits, {@code -_.~} and {@code $&+,/:;=@}. */
    private static boolean mustEscapeInPath(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return false;
        }
        return "-_.~$&+,/:;=@".indexOf(c) < 0;
    }

    static ReplicaConfig fileReplica(String url, Path dir) {
        return new ReplicaConfig(
                ReplicaConfig.TYPE_FILE,
                ReplicaConfig.TYPE_FILE,
                url,
                dir,
                null,
                null,
                null,
                null,
                false,
                false,
                null,
                null,
                ReplicaConfig.DEFAULT_SYNC_INTERVAL,
                Duration.ZERO,
                ReplicaConfig.DEFAULT_RETENTION,
                ReplicaConfig.DEFAULT_RETENTION_CHECK_INTERVAL,
                Duration.ZERO);
    }

    static ReplicaConfig s3Replica(
            String url, String bucket, String prefix, String region, String endpoint, boolean forcePathStyle) {
        return new ReplicaConfig(
                ReplicaConfig.TYPE_S3,
                ReplicaConfig.TYPE_S3,
                url,
                null,
                bucket,
                prefix,
                region,
                endpoint,
                forcePathStyle,
                false,
                null,
                null,
                ReplicaConfig.DEFAULT_SYNC_INTERVAL,
                Duration.ZERO,
                ReplicaConfig.DEFAULT_RETENTION,
                ReplicaConfig.DEFAULT_RETENTION_CHECK_INTERVAL,
                Duration.ZERO);
    }

    /** Percent-decoding as Go's url.Parse does for the path ({@code +} stays {@code +}). */
    private static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        return new String(decodeBytes(s), StandardCharsets.UTF_8);
    }

    /** The bytes {@code s} stands for (its UTF-8 with every {@code %XX} replaced by that byte). */
    private static byte[] decodeBytes(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%') {
                if (i + 2 >= bytes.length
                        || Character.digit(bytes[i + 1], 16) < 0
                        || Character.digit(bytes[i + 2], 16) < 0) {
                    throw new IllegalArgumentException("invalid percent escape in \"" + s + "\"");
                }
                out.write(Character.digit(bytes[i + 1], 16) * 16 + Character.digit(bytes[i + 2], 16));
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toByteArray();
    }
}
