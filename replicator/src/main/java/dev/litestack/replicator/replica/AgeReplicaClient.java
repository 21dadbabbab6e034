package dev.litestack.replicator.replica;

import dev.litestack.replicator.util.AgeCodec;
import java.io.IOException;
import java.io.InputStream;

/**
 * A replica with an {@code age} block: objects are stored age-encrypted around their LZ4 frame,
 * as Litestream 0.3.13 stores them. Everything else is the wrapped client's.
 */
public final class AgeReplicaClient extends ForwardingReplicaClient {

    private final AgeCodec age;

    public AgeReplicaClient(ReplicaClient inner, AgeCodec age) {
        super(inner);
        this.age = age;
    }

    @Override
    public InputStream seal(InputStream lz4) throws IOException {
        if (!age.canEncrypt()) {
            throw new IOException("cannot write to " + inner.describe() + ": age identities are set but no age "
                    + "recipients (the public keys to encrypt to)");
        }
        return age.encrypt(lz4);
    }

    @Override
    public InputStream unseal(InputStream stored, String name) throws IOException {
        try {
            return age.decrypt(stored, name);
        } catch (IOException e) {
            stored.close();
            throw e;
        }
    }
}
