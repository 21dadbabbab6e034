package dev.litestack.replicator.replica.s3;

import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * An in-process s3proxy on {@code 127.0.0.1} with a random port and a transient (in-memory) blob
 * store, for tests. The blob store outlives {@link #stop()}, so {@link #restart()} brings the same
 * objects back on the same port (the basis of outage tests).
 *
 * <pre>
 * try (S3ProxyServer server = S3ProxyServer.start()) {
 *     String bucket = server.createBucket();
 *     S3ReplicaClient client = S3ReplicaClient.open(server.settings(bucket, "backups/app.db"), Map.of());
 * }
 * </pre>
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "test-access-key";
    public static final String SECRET_KEY = "test-secret-key";
    public static final String REGION = "us-east-1";

    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private static final String KEY_STORE_PASSWORD = "s3proxy-test";

    private final BlobStoreContext context;
    /** The key store of an HTTPS-only server (in its own temp folder), or null for plain HTTP. */
    private final Path keyStore;

    private S3Proxy proxy;
    private int port;

    /** Whether s3proxy ignores headers it does not know instead of answering 501 (stock s3proxy does not). */
    private final boolean ignoreUnknownHeaders;

    private S3ProxyServer(BlobStoreContext context, Path keyStore, boolean ignoreUnknownHeaders) {
        this.context = context;
        this.keyStore = keyStore;
        this.ignoreUnknownHeaders = ignoreUnknownHeaders;
    }

    /** Starts a plain-HTTP server on a free port. */
    public static S3ProxyServer start() throws Exception {
        return start(null, false);
    }

    /**
     * Starts a plain-HTTP server that, like AWS S3, takes the {@code x-amz-checksum-crc32} header the SDK sends with
     * DeleteObjects (stock s3proxy answers it 501 NotImplemented, and the client then deletes key by key).
     */
    public static S3ProxyServer startTakingChecksumHeaders() throws Exception {
        return start(null, true);
    }

    /**
     * Starts a server that speaks HTTPS only, on a free port, with a self-signed P-256 certificate
     * for 127.0.0.1 made by the JDK's keytool: clients need {@code skip-verify} ({@link #settings}
     * sets it) or {@link #trustStoreOptions()}.
     */
    public static S3ProxyServer startTls() throws Exception {
        return startTls(false);
    }

    /** {@link #startTls()} with an RSA-2048 certificate instead (TLS 1.3 then signs with RSA-PSS). */
    public static S3ProxyServer startTls(boolean rsa) throws Exception {
        Path dir = Files.createTempDirectory("s3proxy-tls-");
        Path ks = dir.resolve("keystore.p12");
        keytool(
                "-genkeypair",
                "-alias",
                "s3proxy",
                "-keyalg",
                rsa ? "RSA" : "EC",
                rsa ? "-keysize" : "-groupname",
                rsa ? "2048" : "secp256r1",
                "-validity",
                "2",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "SAN=ip:127.0.0.1",
                "-storetype",
                "PKCS12",
                "-keystore",
                ks.toString(),
                "-storepass",
                KEY_STORE_PASSWORD);
        Path cert = dir.resolve("s3proxy.cer");
        keytool(
                "-exportcert",
                "-alias",
                "s3proxy",
                "-keystore",
                ks.toString(),
                "-storepass",
                KEY_STORE_PASSWORD,
                "-file",
                cert.toString());
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "s3proxy",
                "-file",
                cert.toString(),
                "-storetype",
                "PKCS12",
                "-keystore",
                dir.resolve("truststore.p12").toString(),
                "-storepass",
                KEY_STORE_PASSWORD);
        return start(ks, false);
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + out);
        }
    }

    /**
     * The JVM options that make a client trust this HTTPS server's certificate the way it trusts a
     * real one (certificate path validation against a trust store holding it, no skip-verify).
     */
    public String trustStoreOptions() {
        if (keyStore == null) {
            throw new IllegalStateException("a plain-HTTP server has no certificate");
        }
        return "-Djavax.net.ssl.trustStore=" + keyStore.resolveSibling("truststore.p12")
                + " -Djavax.net.ssl.trustStorePassword=" + KEY_STORE_PASSWORD
                + " -Djavax.net.ssl.trustStoreType=PKCS12";
    }

    /**
     * Starts a plain-HTTP server whose objects are files under {@code basedir} (s3proxy's filesystem store, as
     * operators run it: it keeps folders and lists them as keys ending in {@code /}).
     */
    public static S3ProxyServer startOnFilesystem(Path basedir) throws Exception {
        Properties props = new Properties();
        props.setProperty("jclouds.filesystem.basedir", basedir.toString());
        return start(null, false, "filesystem", props);
    }

    private static S3ProxyServer start(Path keyStore, boolean ignoreUnknownHeaders) throws Exception {
        return start(keyStore, ignoreUnknownHeaders, "transient", new Properties());
    }

    private static S3ProxyServer start(Path keyStore, boolean ignoreUnknownHeaders, String provider, Properties props)
            throws Exception {
        BlobStoreContext ctx = ContextBuilder.newBuilder(provider)
                .credentials("unused", "unused")
                .overrides(props)
                .build(BlobStoreContext.class);
        S3ProxyServer server = new S3ProxyServer(ctx, keyStore, ignoreUnknownHeaders);
        try {
            server.listen(0);
        } catch (Exception | Error e) {
            ctx.close();
            throw e;
        }
        return server;
    }

    private synchronized void listen(int wantedPort) throws Exception {
        S3Proxy.Builder b = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .ignoreUnknownHeaders(ignoreUnknownHeaders);
        if (keyStore == null) {
            b.endpoint(URI.create("http://127.0.0.1:" + wantedPort));
        } else {
            b.secureEndpoint(URI.create("https://127.0.0.1:" + wantedPort))
                    .keyStore(keyStore.toString(), KEY_STORE_PASSWORD);
        }
        S3Proxy p = b.build();
        p.start();
        await("s3proxy start")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> "STARTED".equals(p.getState()));
        proxy = p;
        port = keyStore == null ? p.getPort() : p.getSecurePort();
    }

    /** Stops serving HTTP; stored objects are kept. Idempotent. */
    public synchronized void stop() throws Exception {
        if (proxy != null) {
            proxy.stop();
            proxy = null;
        }
    }

    /** Serves again on the same port, with the objects stored before {@link #stop()}. */
    public synchronized void restart() throws Exception {
        stop();
        listen(port);
    }

    public synchronized boolean isRunning() {
        return proxy != null;
    }

    public synchronized int port() {
        return port;
    }

    /** {@code http://127.0.0.1:<port>}, or {@code https://} for a server made by {@link #startTls()}. */
    public String endpoint() {
        return (keyStore == null ? "http" : "https") + "://127.0.0.1:" + port();
    }

    /** Whether this server speaks HTTPS (with a self-signed certificate). */
    public boolean tls() {
        return keyStore != null;
    }

    /** Creates a bucket with a fresh name and returns the name. */
    public String createBucket() {
        String name = "bkt-" + BUCKETS.incrementAndGet();
        createBucket(name);
        return name;
    }

    public void createBucket(String name) {
        context.getBlobStore().createContainerInLocation(null, name);
    }

    /** Stores an object directly in the blob store (no HTTP), e.g. to seed many keys quickly. */
    public void putBlob(String bucket, String key, byte[] body) {
        BlobStore store = context.getBlobStore();
        store.putBlob(
                bucket,
                store.blobBuilder(key)
                        .payload(body)
                        .contentLength((long) body.length)
                        .build());
    }

    /** Every key in a bucket, read directly from the blob store. */
    public List<String> keys(String bucket) {
        return context.getBlobStore().list(bucket, ListContainerOptions.Builder.recursive()).stream()
                .map(StorageMetadata::getName)
                .sorted()
                .toList();
    }

    /** Settings for this server: endpoint, path style, the right credentials, skip-verify over HTTPS. */
    public S3Settings settings(String bucket, String prefix) {
        return new S3Settings(
                bucket, prefix, REGION, endpoint(), true, tls(), ACCESS_KEY, SECRET_KEY, S3Settings.Tuning.DEFAULTS);
    }

    /** A plain SDK client for this server (the caller closes it), to write objects around our client. */
    public S3Client sdkClient() {
        UrlConnectionHttpClient.Builder http = UrlConnectionHttpClient.builder();
        return S3Client.builder()
                .httpClient(
                        tls()
                                ? http.buildWithDefaults(AttributeMap.builder()
                                        .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, Boolean.TRUE)
                                        .build())
                                : http.build())
                .endpointOverride(URI.create(endpoint()))
                .region(Region.of(REGION))
                .credentialsProvider(
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
    }

    @Override
    public void close() throws Exception {
        try {
            stop();
        } finally {
            context.close();
            if (keyStore != null) {
                dev.litestack.replicator.util.FileTrees.delete(keyStore.getParent());
            }
        }
    }
}
