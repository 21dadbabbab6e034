package dev.litestack.replicator.replica.file;

import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.ReplicaClientContract;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileReplicaClientTest extends ReplicaClientContract {

    @TempDir
    Path dir;

    private Path root;

    @Override
    protected ReplicaClient newClient() {
        root = dir.resolve("replica");
        return new FileReplicaClient(root);
    }

    @Override
    protected void putRaw(String relativeKey, byte[] body) throws Exception {
        Path p = root.resolve(relativeKey);
        Files.createDirectories(p.getParent());
        Files.write(p, body);
    }
}
