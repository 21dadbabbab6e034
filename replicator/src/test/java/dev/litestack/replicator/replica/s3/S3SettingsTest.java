package dev.litestack.replicator.replica.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.config.S3Hosts;
import java.net.URI;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Settings, key building, credential and region resolution: no network. */
class S3SettingsTest {

    private static final String GEN_KEY = "generations/0123456789abcdef/wal/00000000_00000000.wal.lz4";

    @Test
    void keysFollowGoPathJoin() {
        assertEquals(GEN_KEY, S3Settings.of("b", "").key(GEN_KEY));
        assertEquals(GEN_KEY, S3Settings.of("b", null).key(GEN_KEY));
        assertEquals(GEN_KEY, S3Settings.of("b", ".").key(GEN_KEY));
        assertEquals(
                "backups/app.db/" + GEN_KEY,
                S3Settings.of("b", "backups/app.db").key(GEN_KEY));
        assertEquals(
                "backups/app.db/" + GEN_KEY,
                S3Settings.of("b", "backups//app.db/").key(GEN_KEY));
        assertEquals("a/c/generations", S3Settings.of("b", "a/./b/../c").key("generations"));
        assertEquals("", S3Settings.of("b", "x/..").root());
    }

    @Test
    void describeNamesBucketAndPrefix() {
        assertEquals("s3://bkt", S3Settings.of("bkt", "").describe());
        assertEquals(
                "s3://bkt/backups/app.db",
                S3Settings.of("bkt", "backups/app.db/").describe());
    }

    @Test
    void leadingSlashAndMissingBucketAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> S3Settings.of("b", "/x"));
        assertTrue(e.getMessage().contains("must not start with '/'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> S3Settings.of(" ", "x"));
        assertTrue(e.getMessage().contains("bucket"), e.getMessage());
    }

    @Test
    void keysMustComeInPairs() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> S3Settings.of("b", "").withCredentials("id", null));
        assertTrue(e.getMessage().contains("secret-access-key missing"), e.getMessage());
    }

    @Test
    void tuningIsBounded() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> S3Settings.Tuning.DEFAULTS.withPartSize(1024));
        assertTrue(e.getMessage().contains("part-size") && e.getMessage().contains("5242880"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> S3Settings.Tuning.DEFAULTS.withMaxAttempts(0));
        assertEquals(8 * 1024 * 1024, S3Settings.of("b", "").tuning().partSize());
    }

    @Test
    void endpointsWithoutSchemeGetOne() {
        assertEquals(URI.create("http://localhost:9000"), S3Settings.normalizeEndpoint("localhost:9000"));
        assertEquals(URI.create("https://bkt.localhost:9000"), S3Settings.normalizeEndpoint("bkt.localhost:9000"));
        assertEquals(
                URI.create("https://fly.storage.tigris.dev"), S3Settings.normalizeEndpoint("fly.storage.tigris.dev"));
        assertEquals(URI.create("http://127.0.0.1:9000"), S3Settings.normalizeEndpoint("http://127.0.0.1:9000"));
        assertThrows(
                IllegalArgumentException.class, () -> S3Settings.of("b", "").withEndpoint("ftp://x", true));
    }

    /**
     * One rule for endpoints and one for prefixes, whether they come from the config file or reach
     * the client directly. Only a bare {@code localhost} endpoint gets {@code http://} (Litestream
     * 0.3.13 gives {@code http://localhost} only to the URL host rule {@code [BKT.]localhost}; an
     * {@code endpoint} field without a scheme gets the SDK's {@code https://}, so does
     * {@code bkt.localhost}). A prefix that climbs above the bucket is refused in both places.
     */
    @Test
    void theConfigAndTheClientShareTheEndpointAndPrefixRules() {
        for (String e :
                new String[] {"localhost:9000", "bkt.localhost:9000", "minio.internal:9000", "http://minio:9000"}) {
            assertEquals(
                    URI.create(S3Hosts.endpointWithScheme(e)),
                    S3Settings.of("b", "").withEndpoint(e, true).endpointUri().orElseThrow(),
                    e);
        }
        assertEquals("https://bkt.localhost:9000", S3Hosts.endpointWithScheme("bkt.localhost:9000"));
        assertEquals("http://localhost:9000", S3Hosts.endpointWithScheme("localhost:9000"));

        assertEquals("b", S3Hosts.cleanPrefix("a/../b"));
        assertEquals("b", S3Settings.of("bkt", "a/../b").root());
        assertEquals("b/generations", S3Settings.of("bkt", "a/../b").key("generations"));
        IllegalArgumentException config =
                assertThrows(IllegalArgumentException.class, () -> S3Hosts.cleanPrefix("../p"));
        IllegalArgumentException client =
                assertThrows(IllegalArgumentException.class, () -> S3Settings.of("bkt", "../p"));
        assertEquals(config.getMessage(), client.getMessage());
        assertTrue(client.getMessage().contains("climbs above the bucket root"), client.getMessage());
    }

    @Test
    void toStringHidesTheSecret() {
        String s = S3Settings.of("b", "").withCredentials("AKID", "very-secret").toString();
        assertTrue(s.contains("AKID"), s);
        assertFalse(s.contains("very-secret"), s);
    }

    private static AwsCredentials staticCredentials(AwsCredentialsProvider p) {
        return assertInstanceOf(StaticCredentialsProvider.class, p).resolveCredentials();
    }

    @Test
    void explicitKeysWinOverEveryEnvironmentVariable() {
        S3Settings s = S3Settings.of("b", "").withCredentials("cfg-id", "cfg-secret");
        AwsCredentials c = staticCredentials(S3Clients.credentials(
                s,
                Map.of(
                        "AWS_ACCESS_KEY_ID",
                        "aws-id",
                        "AWS_SECRET_ACCESS_KEY",
                        "aws-secret",
                        "LITESTREAM_ACCESS_KEY_ID",
                        "ls-id",
                        "LITESTREAM_SECRET_ACCESS_KEY",
                        "ls-secret")));
        assertEquals("cfg-id", c.accessKeyId());
        assertEquals("cfg-secret", c.secretAccessKey());
    }

    @Test
    void litestreamEnvIsUsedWhenAwsEnvIsAbsent() {
        AwsCredentials c = staticCredentials(S3Clients.credentials(
                S3Settings.of("b", ""),
                Map.of("LITESTREAM_ACCESS_KEY_ID", "ls-id", "LITESTREAM_SECRET_ACCESS_KEY", "ls-secret")));
        assertEquals("ls-id", c.accessKeyId());
        assertEquals("ls-secret", c.secretAccessKey());
    }

    @Test
    void awsEnvBeatsLitestreamEnv() {
        AwsCredentialsProvider p = S3Clients.credentials(
                S3Settings.of("b", ""),
                Map.of(
                        "AWS_ACCESS_KEY_ID",
                        "aws-id",
                        "AWS_SECRET_ACCESS_KEY",
                        "aws-secret",
                        "LITESTREAM_ACCESS_KEY_ID",
                        "ls-id",
                        "LITESTREAM_SECRET_ACCESS_KEY",
                        "ls-secret"));
        assertInstanceOf(DefaultCredentialsProvider.class, p);
    }

    @Test
    void eachLitestreamVariableFillsOnlyItsOwnMissingAwsTwin() {
        AwsCredentials c = staticCredentials(S3Clients.credentials(
                S3Settings.of("b", ""),
                Map.of(
                        "AWS_ACCESS_KEY_ID",
                        "aws-id",
                        "LITESTREAM_ACCESS_KEY_ID",
                        "ls-id",
                        "LITESTREAM_SECRET_ACCESS_KEY",
                        "ls-secret")));
        assertEquals("aws-id", c.accessKeyId());
        assertEquals("ls-secret", c.secretAccessKey());
    }

    @Test
    void anEmptyButSetAwsVariableStillBlocksTheLitestreamOne() {
        AwsCredentialsProvider p = S3Clients.credentials(
                S3Settings.of("b", ""),
                Map.of(
                        "AWS_ACCESS_KEY_ID",
                        "",
                        "AWS_SECRET_ACCESS_KEY",
                        "",
                        "LITESTREAM_ACCESS_KEY_ID",
                        "ls-id",
                        "LITESTREAM_SECRET_ACCESS_KEY",
                        "ls-secret"));
        assertInstanceOf(DefaultCredentialsProvider.class, p);
    }

    @Test
    void sessionTokenIsKeptWithLitestreamKeys() {
        AwsCredentials c = staticCredentials(S3Clients.credentials(
                S3Settings.of("b", ""),
                Map.of(
                        "LITESTREAM_ACCESS_KEY_ID",
                        "ls-id",
                        "LITESTREAM_SECRET_ACCESS_KEY",
                        "ls-secret",
                        "AWS_SESSION_TOKEN",
                        "tok")));
        assertEquals("tok", assertInstanceOf(AwsSessionCredentials.class, c).sessionToken());
    }

    @Test
    void withoutAnyKeysTheSdkDefaultChainIsUsed() {
        assertInstanceOf(DefaultCredentialsProvider.class, S3Clients.credentials(S3Settings.of("b", ""), Map.of()));
        assertInstanceOf(
                DefaultCredentialsProvider.class,
                S3Clients.credentials(S3Settings.of("b", ""), Map.of("LITESTREAM_ACCESS_KEY_ID", "ls-id")));
    }

    @Test
    void regionIsExplicitThenDefaultForEndpointsThenLookedUp() throws Exception {
        S3Clients.BucketLocator unreachable = bucket -> {
            throw new AssertionError("no lookup expected");
        };
        assertEquals(
                "eu-central-1",
                S3Clients.region(S3Settings.of("b", "").withRegion("eu-central-1"), unreachable)
                        .id());
        assertEquals(
                "us-east-1",
                S3Clients.region(S3Settings.of("b", "").withEndpoint("https://x.example", true), unreachable)
                        .id());
        assertEquals(
                "ap-south-1",
                S3Clients.region(S3Settings.of("b", ""), bucket -> "ap-south-1").id());
        assertEquals(
                "us-east-1",
                S3Clients.region(S3Settings.of("b", ""), bucket -> "").id());
        assertEquals(
                "us-east-1",
                S3Clients.region(S3Settings.of("b", ""), bucket -> null).id());
        assertEquals(
                "eu-west-1",
                S3Clients.region(S3Settings.of("b", ""), bucket -> "EU").id());
    }

    @Test
    void tigrisEndpointsAreRecognised() {
        assertTrue(S3Clients.isTigris(URI.create("https://fly.storage.tigris.dev")));
        assertTrue(S3Clients.isTigris(URI.create("https://t3.storage.dev")));
        assertFalse(S3Clients.isTigris(URI.create("https://s3.us-east-1.amazonaws.com")));
    }

    @Test
    void aProxyForPlainHttpIsSeenInThePropertyOrEitherVariable() {
        Properties none = new Properties();
        assertFalse(S3Clients.httpProxyConfigured(Map.of(), none));
        assertFalse(S3Clients.httpProxyConfigured(Map.of("HTTPS_PROXY", "http://p:3128", "HTTP_PROXY", ""), none));
        assertTrue(S3Clients.httpProxyConfigured(Map.of("HTTP_PROXY", "http://p:3128"), none));
        assertTrue(S3Clients.httpProxyConfigured(Map.of("http_proxy", "http://p:3128"), none));
        Properties host = new Properties();
        host.setProperty("http.proxyHost", "p");
        assertTrue(S3Clients.httpProxyConfigured(Map.of(), host));
    }
}
