package dev.litestack.replicator.replica.s3;

import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.ReplicaClientContract;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** The replica contract against a real S3 API (in-process s3proxy), objects at the bucket root. */
@Tag("integration")
class S3ReplicaClientTest extends ReplicaClientContract {

    private static S3ProxyServer server;
    private static S3Client raw;

    private S3Settings settings;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.start();
        raw = server.sdkClient();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (raw != null) {
            raw.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** The key prefix under test. */
    protected String prefix() {
        return "";
    }

    @Override
    protected ReplicaClient newClient() throws Exception {
        settings = server.settings(server.createBucket(), prefix());
        S3ReplicaClient client = S3ReplicaClient.open(settings, Map.of());
        client.verify();
        return client;
    }

    @Override
    protected void putRaw(String relativeKey, byte[] body) {
        raw.putObject(r -> r.bucket(settings.bucket()).key(settings.key(relativeKey)), RequestBody.fromBytes(body));
    }
}
