package dev.litestack.replicator.replica.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.utils.AttributeMap;

/** Builds the SDK client from {@link S3Settings}: credentials, region, HTTP client, retries. */
final class S3Clients {

    static final String LITESTREAM_ACCESS_KEY_ID = "LITESTREAM_ACCESS_KEY_ID";
    static final String LITESTREAM_SECRET_ACCESS_KEY = "LITESTREAM_SECRET_ACCESS_KEY";
    static final String AWS_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
    static final String AWS_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
    static final String AWS_SESSION_TOKEN = "AWS_SESSION_TOKEN";
    static final String DEFAULT_REGION = "us-east-1";

    /** Looks up the region of a bucket (GetBucketLocation); returns the raw location constraint. */
    @FunctionalInterface
    interface BucketLocator {
        String locationOf(String bucket) throws IOException;
    }

    private S3Clients() {}

    /**
     * Credentials, in Litestream 0.3.13's order:
     * <ol>
     *   <li>the replica's {@code access-key-id}/{@code secret-access-key} (the config loader copies the
     *       global keys into a replica that has none) → static;</li>
     *   <li>{@code LITESTREAM_ACCESS_KEY_ID}/{@code LITESTREAM_SECRET_ACCESS_KEY}, each used only when
     *       its {@code AWS_*} twin is absent from {@code env} (as Litestream copies them into the
     *       {@code AWS_*} names at start) → static, with {@code AWS_SESSION_TOKEN} if present;</li>
     *   <li>otherwise the SDK default chain (env {@code AWS_*}, profile files, web identity,
     *       container and instance metadata).</li>
     * </ol>
     */
    static AwsCredentialsProvider credentials(S3Settings settings, Map<String, String> env) {
        if (settings.accessKeyId() != null) {
            return StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(settings.accessKeyId(), settings.secretAccessKey()));
        }
        boolean idFromLitestream = !env.containsKey(AWS_ACCESS_KEY_ID) && env.containsKey(LITESTREAM_ACCESS_KEY_ID);
        boolean secretFromLitestream =
                !env.containsKey(AWS_SECRET_ACCESS_KEY) && env.containsKey(LITESTREAM_SECRET_ACCESS_KEY);
        String id = idFromLitestream ? env.get(LITESTREAM_ACCESS_KEY_ID) : env.get(AWS_ACCESS_KEY_ID);
        String secret = secretFromLitestream ? env.get(LITESTREAM_SECRET_ACCESS_KEY) : env.get(AWS_SECRET_ACCESS_KEY);
        if ((idFromLitestream || secretFromLitestream) && notEmpty(id) && notEmpty(secret)) {
            String token = env.get(AWS_SESSION_TOKEN);
            AwsCredentials creds = notEmpty(token)
                    ? AwsSessionCredentials.create(id, secret, token)
                    : AwsBasicCredentials.create(id, secret);
            return StaticCredentialsProvider.create(creds);
        }
        return DefaultCredentialsProvider.builder().build();
    }

    /**
     * The signing region: the explicit one; else {@code us-east-1} when an endpoint is set; else
     * the bucket's location (an empty location means {@code us-east-1}, {@code EU} means
     * {@code eu-west-1}). Environment variables such as {@code AWS_REGION} are not consulted.
     */
    static Region region(S3Settings settings, BucketLocator locator) throws IOException {
        if (settings.region() != null) {
            return Region.of(settings.region());
        }
        if (settings.endpoint() != null) {
            return Region.of(DEFAULT_REGION);
        }
        return Region.of(normalizeBucketLocation(locator.locationOf(settings.bucket())));
    }

    static String normalizeBucketLocation(String location) {
        if (location == null || location.isEmpty() || location.equalsIgnoreCase("null")) {
            return DEFAULT_REGION;
        }
        return location.equals("EU") ? "eu-west-1" : location.toLowerCase(Locale.ROOT);
    }

    /**
     * The HTTP client: url-connection with the settings' timeouts. With {@code skipVerify} every
     * certificate and host name is accepted (see {@link S3Settings#skipVerify()} for the risk).
     * The caller closes it.
     *
     * <p>A plain-HTTP endpoint with no HTTP proxy configured (no {@code http.proxyHost} system
     * property, no {@code HTTP_PROXY}/{@code http_proxy} variable) gets direct connections from a
     * factory of our own: the client then never builds an {@code SSLContext}, whose set-up (JSSE and
     * the JCE policy) was about 40 ms of every cold restore from such an endpoint.
     */
    static SdkHttpClient httpClient(S3Settings settings) {
        return httpClient(settings, System.getenv(), System.getProperties());
    }

    static SdkHttpClient httpClient(S3Settings settings, Map<String, String> env, java.util.Properties props) {
        Duration connect = settings.tuning().connectTimeout();
        Duration socket = settings.tuning().socketTimeout();
        boolean plainHttp = settings.endpointUri()
                .map(u -> "http".equalsIgnoreCase(u.getScheme()))
                .orElse(false);
        if (plainHttp && !httpProxyConfigured(env, props)) {
            return UrlConnectionHttpClient.create(uri -> directConnection(uri, connect, socket));
        }
        UrlConnectionHttpClient.Builder b =
                UrlConnectionHttpClient.builder().connectionTimeout(connect).socketTimeout(socket);
        if (settings.skipVerify()) {
            return b.buildWithDefaults(AttributeMap.builder()
                    .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, Boolean.TRUE)
                    .build());
        }
        return b.build();
    }

    /** Whether a proxy for plain-HTTP requests is set, in either of the places the SDK's client reads. */
    static boolean httpProxyConfigured(Map<String, String> env, java.util.Properties props) {
        return notEmpty(props.getProperty("http.proxyHost"))
                || notEmpty(env.get("HTTP_PROXY"))
                || notEmpty(env.get("http_proxy"));
    }

    private static HttpURLConnection directConnection(URI uri, Duration connect, Duration socket) {
        try {
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            c.setConnectTimeout(millis(connect));
            c.setReadTimeout(millis(socket));
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a connection to " + uri.getHost() + ":" + uri.getPort(), e);
        }
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }

    /**
     * The SDK's switch that stops it taking an endpoint from {@code AWS_ENDPOINT_URL_S3}, {@code AWS_ENDPOINT_URL} or
     * {@code ~/.aws/config}. Litestream 0.3.13 reads none of them: a replica without {@code endpoint} is AWS S3. With
     * the SDK's default, an off-site AWS replica on a Fly machine (where {@code fly storage create} sets
     * {@code AWS_ENDPOINT_URL_S3}) went to Tigris instead.
     */
    static final String IGNORE_CONFIGURED_ENDPOINTS = "aws.ignoreConfiguredEndpointUrls";

    static {
        // before this class builds its first client (the SDK reads it at each build); a value set by the user stays
        if (System.getProperty(IGNORE_CONFIGURED_ENDPOINTS) == null) {
            System.setProperty(IGNORE_CONFIGURED_ENDPOINTS, "true");
        }
    }

    /**
     * An answer cut off after its status line (a connection reset or an early end in the middle of a listing's XML):
     * the SDK does not retry those by itself, so a reset between the headers and the body of one LIST failed a
     * restore, or a start-up, at once. Every request of ours can be sent again (reads, and writes of whole objects
     * to fixed names).
     */
    static boolean cutShort(Throwable t) {
        if (!(t instanceof software.amazon.awssdk.core.exception.SdkClientException)) {
            return false;
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.io.IOException || c instanceof javax.xml.stream.XMLStreamException) {
                return true;
            }
        }
        String message = String.valueOf(t.getMessage());
        return message.startsWith("Could not parse XML response") || message.contains("Unable to unmarshall");
    }

    /**
     * The attempt timers of every client (the SDK's only use of it here): one daemon thread for the process. Each
     * client made its own pool otherwise, five idle threads per replica (200 for 40 S3 replicas). The SDK does not
     * shut down an executor it was given.
     */
    private static final java.util.concurrent.ScheduledExecutorService TIMERS =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "s3-timers");
                t.setDaemon(true);
                return t;
            });

    /** A client for {@code region}; the HTTP client stays owned by the caller. */
    static S3Client client(S3Settings settings, Region region, AwsCredentialsProvider credentials, SdkHttpClient http) {
        ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(settings.tuning().maxAttempts())
                        .retryOnException(S3Clients::cutShort)
                        .build())
                .apiCallAttemptTimeout(settings.tuning().attemptTimeout())
                .scheduledExecutorService(TIMERS);
        Optional<URI> endpoint = settings.endpointUri();
        if (endpoint.isPresent() && isTigris(endpoint.get())) {
            // Strong read-after-write across regions, as Litestream 0.5 sends for Tigris.
            override.putHeader("X-Tigris-Consistent", "true");
        }
        S3ClientBuilder b = S3Client.builder()
                .httpClient(http)
                .region(region)
                .credentialsProvider(credentials)
                .forcePathStyle(settings.forcePathStyle())
                // Compatibility with S3-compatible servers (Tigris, R2, MinIO, B2, s3proxy): no
                // aws-chunked uploads with checksum trailers, no mandatory response checksums.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // DeleteObjects needs a checksum: Content-MD5, as before SDK 2.30 and as Litestream sends, not
                // x-amz-checksum-crc32, which servers that predate it refuse (s3proxy: 501 NotImplemented)
                .addPlugin(LegacyMd5Plugin.create())
                .overrideConfiguration(override.build());
        endpoint.ifPresent(b::endpointOverride);
        return b.build();
    }

    static boolean isTigris(URI endpoint) {
        String host = endpoint.getHost() == null ? "" : endpoint.getHost().toLowerCase(Locale.ROOT);
        return host.equals("fly.storage.tigris.dev")
                || host.endsWith(".fly.storage.tigris.dev")
                || host.equals("t3.storage.dev")
                || host.endsWith(".t3.storage.dev");
    }

    /** How the server is named in error messages. */
    static String endpointDescription(S3Settings settings, Region region) {
        return settings.endpointUri().map(URI::toString).orElse("AWS S3 (region " + region.id() + ")");
    }

    /** GetBucketLocation through a temporary {@code us-east-1} client, as Litestream does. */
    static BucketLocator bucketLocator(S3Settings settings, AwsCredentialsProvider credentials, SdkHttpClient http) {
        return bucket -> {
            try (S3Client s3 = client(settings, Region.of(DEFAULT_REGION), credentials, http)) {
                return s3.getBucketLocation(r -> r.bucket(bucket)).locationConstraintAsString();
            } catch (SdkException e) {
                throw new S3Errors(bucket, "AWS S3 (region " + DEFAULT_REGION + ")").map("find region of", "", e);
            }
        };
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }
}
