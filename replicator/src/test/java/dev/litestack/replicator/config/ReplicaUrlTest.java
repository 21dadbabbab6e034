package dev.litestack.replicator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplicaUrlTest {

    private static final Map<String, String> ENV = Map.of();

    /** The table of format spec §4.1; an empty CSV cell is null. */
    @ParameterizedTest
    @CsvSource({
        "s3://mybkt.localhost:4569/urlform/u.db, mybkt, urlform/u.db, us-east-1, http://localhost:4569, true",
        "s3://bkt.localhost/p, bkt, p, us-east-1, http://localhost, true",
        "s3://a.b.localhost:9000/p, a.b, p, us-east-1, http://localhost:9000, true",
        "s3://bkt.s3.us-west-002.backblazeb2.com/db, bkt, db, us-west-002, https://s3.us-west-002.backblazeb2.com, true",
        "s3://bkt.s3.filebase.com/db, bkt, db, us-east-1, https://s3.filebase.com, true",
        "s3://bkt.nyc3.digitaloceanspaces.com/x/y, bkt, x/y, nyc3, https://nyc3.digitaloceanspaces.com, true",
        "s3://bkt.s3.fr-par.scw.cloud/db, bkt, db, fr-par, https://s3.fr-par.scw.cloud, true",
        "s3://bkt.us-east-1.linodeobjects.com/db, bkt, db, us-east-1, https://us-east-1.linodeobjects.com, true",
        "s3://bkt.nyc3.digitaloceanspaces.com:8443/db, bkt, db, nyc3, https://nyc3.digitaloceanspaces.com:8443, true",
        "s3://mybucket/backups/app, mybucket, backups/app, , , false",
        "s3://bkt.s3.amazonaws.com/x, bkt.s3.amazonaws.com, x, , , false",
        "s3://bkt, bkt, '', , , false",
        "s3://bkt/, bkt, '', , , false",
        "s3://bkt//a//b/./c/../d/, bkt, a/b/d, , , false",
        "S3://bkt/p, bkt, p, , , false",
        "s3://bkt/my%20dir, bkt, my dir, , , false",
    })
    void s3HostRules(String url, String bucket, String prefix, String region, String endpoint, boolean pathStyle)
            throws ConfigException {
        ReplicaConfig r = ReplicaUrl.parse(url, ENV);
        assertEquals("s3", r.type());
        assertEquals("s3", r.name());
        assertEquals(url, r.url());
        assertEquals(bucket, r.bucket());
        assertEquals(prefix, r.prefix());
        assertEquals(region, r.region());
        assertEquals(endpoint, r.endpoint());
        assertEquals(pathStyle, r.forcePathStyle());
        assertNull(r.path());
        assertNull(r.accessKeyId());
        assertNull(r.secretAccessKey());
        assertFalse(r.skipVerify());
    }

    @Test
    void s3UrlGetsEveryDefault() throws ConfigException {
        ReplicaConfig r = ReplicaUrl.parse("s3://bkt/p", ENV);
        assertEquals(Duration.ofSeconds(1), r.syncInterval());
        assertEquals(Duration.ZERO, r.snapshotInterval());
        assertEquals(Duration.ofHours(24), r.retention());
        assertEquals(Duration.ofHours(1), r.retentionCheckInterval());
        assertEquals(Duration.ZERO, r.validationInterval());
        assertTrue(r.isS3());
        assertTrue(r.retentionEnabled());
    }

    @ParameterizedTest
    @CsvSource({
        "file:///x/y, /x/y",
        "file:///x/y/, /x/y",
        "file:///x/./z/../y, /x/y",
        "FILE:///var/backups, /var/backups",
        // the folder is the escaped path, as Litestream names it (Go's URL.EscapedPath)
        "file:///tmp/my%20dir, /tmp/my%20dir",
        "file:///tmp/my dir, /tmp/my%20dir",
        "file:///tmp/r%C3%A9p, /tmp/r%C3%A9p",
        "file:///tmp/réplique, /tmp/r%C3%A9plique",
        "file:///tmp/a%2Bb, /tmp/a%2Bb",
        "file:///tmp/a+b(1), /tmp/a+b(1)",
        "file:///tmp/50%25, /tmp/50%25",
        "file:///tmp/a b/%FF, /tmp/a%20b/%FF",
    })
    void fileUrls(String url, String dir) throws ConfigException {
        ReplicaConfig r = ReplicaUrl.parse(url, ENV);
        assertEquals("file", r.type());
        assertEquals("file", r.name());
        assertEquals(Path.of(dir), r.path());
        assertEquals(url, r.url());
        assertNull(r.bucket());
        assertNull(r.prefix());
        assertEquals(Duration.ofSeconds(1), r.syncInterval());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "gcs://bkt/db | replica type gcs is not supported by this build",
                "abs://container/db | replica type abs is not supported by this build",
                "sftp://host/db | replica type sftp is not supported by this build",
                "http://example.com/db | unknown replica type \"http\" (want file or s3)",
                "/var/backups | not a url",
                "s3:/bkt/p | not a url",
                "file://host/x | a file url has no host",
                "file:// | no directory",
                "s3:// | no bucket",
                "s3:///p | no bucket",
                "s3://localhost:9000/p | no bucket in the host",
                "s3://bkt:9000/p | a port needs a provider host",
                "s3://bkt.localhost:99999/p | invalid port \"99999\"",
                "s3://bkt.localhost:x/p | invalid port \"x\"",
                "s3://bkt/p?region=x | query strings and fragments are not supported",
                "s3://key@bkt/p | user info",
                "s3://bkt/%zz | invalid percent escape",
            })
    void badUrlsNameTheUrlAndTheProblem(String url, String problem) {
        ConfigException e = assertThrows(ConfigException.class, () -> ReplicaUrl.parse(url, ENV));
        assertTrue(e.getMessage().startsWith("replica url \"" + url + "\": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void looksLikeUrlIsLitestreamsTest() {
        assertTrue(ReplicaUrl.looksLikeUrl("s3://bkt/p"));
        assertTrue(ReplicaUrl.looksLikeUrl("file:///x"));
        assertFalse(ReplicaUrl.looksLikeUrl("/var/backups"));
        assertFalse(ReplicaUrl.looksLikeUrl("backups/s3:/x"));
    }

    @ParameterizedTest
    @CsvSource({
        "localhost:9000, http://localhost:9000",
        "localhost, http://localhost",
        "minio.internal:9000, https://minio.internal:9000",
        "http://minio:9000, http://minio:9000",
        "https://s3.example.com, https://s3.example.com",
    })
    void endpointsGetASchemeWhenTheyHaveNone(String given, String want) {
        assertEquals(want, S3Hosts.endpointWithScheme(given));
    }

    @Test
    void endpointsMustBeHttp() {
        assertThrows(IllegalArgumentException.class, () -> S3Hosts.endpointWithScheme("ftp://x"));
        assertThrows(IllegalArgumentException.class, () -> S3Hosts.endpointWithScheme("http://"));
    }

    @ParameterizedTest
    @CsvSource({
        "'', ''",
        "/, ''",
        ".,  ''",
        "/leading/slash, leading/slash",
        "trailing/, trailing",
        "a//b/./c, a/b/c",
        "a/../b, b",
        "/../x, x",
    })
    void prefixesAreCleanedAndTrimmed(String path, String prefix) {
        assertEquals(prefix, S3Hosts.cleanPrefix(path));
    }
}
