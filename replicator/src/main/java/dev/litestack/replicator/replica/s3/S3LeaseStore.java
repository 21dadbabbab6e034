package dev.litestack.replicator.replica.s3;

import dev.litestack.replicator.replica.Lease;
import dev.litestack.replicator.replica.LeaseStore;
import dev.litestack.replicator.replica.OperationStats.Operation;
import dev.litestack.replicator.replica.ReplicaLayout;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.function.Consumer;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The lease of an S3 replica: one object, {@code <prefix>/lease}, written with S3 conditional
 * writes: {@code If-None-Match: *} to create it, {@code If-Match: <etag>} to renew, take over or
 * release it. A 412 (or 409, a concurrent conditional write) means another writer got there first.
 * A server that ignores the conditions (s3proxy 2.7 does, for PUT) still gets the read-check-write
 * protocol of {@code LeaseKeeper}, but not its guarantee under a race.
 */
final class S3LeaseStore implements LeaseStore {

    private final S3Client s3;
    private final S3Settings settings;
    private final S3Errors errors;
    private final S3Stats stats;
    private final String key;

    S3LeaseStore(S3Client s3, S3Settings settings, S3Errors errors, S3Stats stats) {
        this.s3 = s3;
        this.settings = settings;
        this.errors = errors;
        this.stats = stats;
        this.key = settings.key(ReplicaLayout.LEASE);
    }

    @Override
    public String describe() {
        return "s3://" + settings.bucket() + "/" + key;
    }

    @Override
    public Stored read() throws IOException {
        ResponseBytes<GetObjectResponse> b;
        try {
            b = s3.getObjectAsBytes(r -> r.bucket(settings.bucket()).key(key));
        } catch (SdkException e) {
            IOException io = errors.mapRead("get", key, e);
            if (io instanceof NoSuchFileException) {
                return null;
            }
            throw io;
        }
        stats.countOperation(Operation.GET);
        stats.countBytes(Operation.GET, b.asByteArrayUnsafe().length);
        return new Stored(Lease.decode(b.asByteArray()), b.response().eTag());
    }

    @Override
    public String create(Lease lease) throws IOException {
        return put(lease, r -> r.ifNoneMatch("*"));
    }

    @Override
    public String replace(Lease lease, String version) throws IOException {
        return put(lease, r -> r.ifMatch(version));
    }

    private String put(Lease lease, Consumer<PutObjectRequest.Builder> condition) throws IOException {
        byte[] body = lease.encode();
        PutObjectResponse res;
        try {
            res = s3.putObject(
                    r -> {
                        r.bucket(settings.bucket())
                                .key(key)
                                .contentLength((long) body.length)
                                .contentType("text/plain");
                        condition.accept(r);
                    },
                    RequestBody.fromBytes(body));
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return null;
            }
            throw errors.map("put", key, e);
        } catch (SdkException e) {
            throw errors.map("put", key, e);
        }
        stats.countOperation(Operation.PUT);
        stats.countBytes(Operation.PUT, body.length);
        return res.eTag();
    }
}
