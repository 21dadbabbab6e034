package dev.litestack.replicator.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Litestream's S3 rules ({@code s3.ParseHost}): provider host patterns in an {@code s3://} URL,
 * the scheme of endpoints, and cleaning of key prefixes. The config and the S3 client both use
 * these, so an endpoint or a prefix means the same wherever it was given.
 */
public final class S3Hosts {

    /** What a URL host gives: bucket, region (or null), endpoint with scheme (or null), path style. */
    record HostParts(String bucket, String region, String endpoint, boolean forcePathStyle) {}

    /** The provider patterns, verbatim from Litestream 0.3.13; group 1 = bucket, group 2 = region. */
    private record Rule(Pattern pattern, String endpointFormat, boolean hasRegion, boolean http) {}

    private static final List<Rule> RULES = List.of(
            new Rule(Pattern.compile("^(?:(.+)\\.)?localhost$"), "localhost", false, true),
            new Rule(
                    Pattern.compile("^(?:(.+)\\.)?s3.([^.]+)\\.backblazeb2.com$"),
                    "s3.%s.backblazeb2.com",
                    true,
                    false),
            new Rule(Pattern.compile("^(?:(.+)\\.)?s3.filebase.com$"), "s3.filebase.com", false, false),
            new Rule(
                    Pattern.compile("^(?:(.+)\\.)?([^.]+)\\.digitaloceanspaces.com$"),
                    "%s.digitaloceanspaces.com",
                    true,
                    false),
            new Rule(Pattern.compile("^(?:(.+)\\.)?s3.([^.]+)\\.scw.cloud$"), "s3.%s.scw.cloud", true, false),
            new Rule(
                    Pattern.compile("^(?:(.+)\\.)?([^.]+)\\.linodeobjects.com$"), "%s.linodeobjects.com", true, false));

    private S3Hosts() {}

    /**
     * Applies the provider rules to an {@code s3://} URL host. A host matching none is the bucket
     * name itself (AWS); a port is then an error, since AWS has no endpoint to put it on.
     *
     * @throws IllegalArgumentException with the problem
     */
    static HostParts parseHost(String host, String port) {
        for (Rule rule : RULES) {
            Matcher m = rule.pattern.matcher(host);
            if (m.matches()) {
                String region = rule.hasRegion ? m.group(2) : (rule.http ? "us-east-1" : null);
                String endpoint = rule.hasRegion ? String.format(rule.endpointFormat, region) : rule.endpointFormat;
                if (port != null) {
                    endpoint += ":" + port;
                }
                String bucket = m.group(1);
                if (bucket == null) {
                    throw new IllegalArgumentException(
                            "no bucket in the host (write the bucket first, as in s3://BUCKET." + host
                                    + (port == null ? "" : ":" + port) + "/path)");
                }
                return new HostParts(bucket, region, (rule.http ? "http://" : "https://") + endpoint, true);
            }
        }
        if (port != null) {
            throw new IllegalArgumentException("a port needs a provider host such as BUCKET.localhost:" + port
                    + "; for other S3 servers give bucket and endpoint as separate fields");
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no bucket (want s3://BUCKET/path)");
        }
        return new HostParts(host, null, null, false);
    }

    /**
     * Gives an endpoint without a scheme one: {@code http://} for {@code localhost}, else
     * {@code https://}. Checks that the result is an http(s) URL with a host.
     *
     * @throws IllegalArgumentException with the problem
     */
    public static String endpointWithScheme(String endpoint) {
        String e = endpoint;
        if (!e.contains("://")) {
            String host = e.split("[:/]", 2)[0];
            e = (host.equals("localhost") ? "http://" : "https://") + e;
        }
        try {
            URI uri = new URI(e);
            String scheme = uri.getScheme().toLowerCase();
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("endpoint scheme must be http or https, got \"" + endpoint + "\"");
            }
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("endpoint has no host name: \"" + endpoint + "\"");
            }
        } catch (URISyntaxException ex) {
            throw new IllegalArgumentException("invalid endpoint \"" + endpoint + "\": " + ex.getReason());
        }
        return e;
    }

    /**
     * Cleans a key prefix the way Go's {@code path.Clean} does, then drops leading and trailing
     * {@code /}: {@code /a//b/./c/} → {@code a/b/c}, {@code .} → {@code ""}.
     *
     * @throws IllegalArgumentException if {@code ..} climbs above the bucket root
     */
    public static String cleanPrefix(String path) {
        if (path == null) {
            return "";
        }
        boolean rooted = path.startsWith("/");
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.removeLast();
                } else if (!rooted) {
                    throw new IllegalArgumentException("\"" + path + "\" climbs above the bucket root");
                }
                continue;
            }
            parts.addLast(part);
        }
        return String.join("/", parts);
    }
}
