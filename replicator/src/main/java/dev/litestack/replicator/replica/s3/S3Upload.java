package dev.litestack.replicator.replica.s3;

import dev.litestack.replicator.replica.OperationStats.Operation;
import dev.litestack.replicator.replica.s3.S3ReplicaException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Streams one body to one key with bounded memory: a buffer of one part plus a one-byte
 * look-ahead. A body that ends within the first part goes up in one PutObject; a longer one in a
 * multipart upload whose parts are sent one after the other as the buffer fills, and which is
 * aborted on any failure so that no object (and no stray part) is left behind. The buffer starts
 * small and doubles only while the body keeps coming, so the WAL segment of a few KB that most
 * syncs upload costs a few KB, not a whole part. The largest buffer so far (at most one part) is
 * kept for the next upload: under a busy writer every segment of a few MB would otherwise allocate
 * and copy its buffer anew (64 KB, 128 KB, ... 4 MB), and that garbage grew the heap to its ceiling
 * (bench/replicator/results-memory.md). Uploads through one instance therefore run one at a time.
 */
final class S3Upload {

    /** S3 allows at most this many parts per upload. */
    static final int MAX_PARTS = 10_000;
    /** The first buffer's size; it doubles up to the part size. */
    static final int FIRST_BUFFER = 64 * 1024;

    private final S3Client s3;
    private final String bucket;
    private final int partSize;
    private final S3Stats stats;
    private final S3Errors errors;
    /**
     * The buffer of the previous upload (guarded by this), reused by the next; empty before the first.
     * Weakly held: a full collection frees it, which the replicator runs once it has gone quiet
     * (engine.IdleHeapTrim), so an idle replicator does not keep a part-sized buffer. Young
     * collections under load do not clear it once it lives in the old generation.
     */
    private WeakReference<byte[]> kept = new WeakReference<>(null);

    S3Upload(S3Client s3, String bucket, int partSize, S3Stats stats, S3Errors errors) {
        this.s3 = s3;
        this.bucket = bucket;
        this.partSize = partSize;
        this.stats = stats;
        this.errors = errors;
    }

    /** Uploads {@code body} (read to its end, not closed) to {@code key}; returns its size. */
    synchronized long upload(String key, InputStream body) throws IOException {
        byte[] buffer = kept.get();
        if (buffer == null) {
            buffer = new byte[Math.min(FIRST_BUFFER, partSize)];
        }
        int n = 0;
        while (true) {
            n += readFully(body, buffer, n);
            if (n < buffer.length || buffer.length == partSize) {
                break;
            }
            buffer = java.util.Arrays.copyOf(buffer, (int) Math.min((long) buffer.length * 2, partSize));
        }
        if (buffer != kept.get()) {
            kept = new WeakReference<>(buffer);
        }
        int next = n < partSize ? -1 : body.read();
        if (next < 0) {
            putObject(key, buffer, n);
            stats.countOperation(Operation.PUT);
            return n;
        }
        long size = multipart(key, body, buffer, next);
        stats.countOperation(Operation.PUT);
        return size;
    }

    private void putObject(String key, byte[] buffer, int length) throws IOException {
        try {
            s3.putObject(
                    r -> r.bucket(bucket).key(key).contentLength((long) length),
                    RequestBody.fromContentProvider(
                            () -> new ByteArrayInputStream(buffer, 0, length), length, "application/octet-stream"));
        } catch (SdkException e) {
            throw errors.map("put", key, e);
        }
        stats.countBytes(Operation.PUT, length);
    }

    /** The buffer holds a full first part and {@code lookAhead} is the byte after it. */
    private long multipart(String key, InputStream body, byte[] buffer, int lookAhead) throws IOException {
        String uploadId;
        try {
            uploadId = s3.createMultipartUpload(r -> r.bucket(bucket).key(key).contentType("application/octet-stream"))
                    .uploadId();
        } catch (SdkException e) {
            throw errors.map("start multipart upload of", key, e);
        }
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long total = 0;
            int length = partSize;
            int next = lookAhead;
            while (true) {
                int partNumber = parts.size() + 1;
                if (partNumber > MAX_PARTS) {
                    throw new S3ReplicaException(
                            Reason.REQUEST_FAILED,
                            "put " + errors.object(key) + ": body exceeds " + MAX_PARTS + " parts of " + partSize
                                    + " bytes (raise part-size)",
                            null);
                }
                parts.add(uploadPart(key, uploadId, partNumber, buffer, length));
                total += length;
                if (next < 0) {
                    break;
                }
                buffer[0] = (byte) next;
                length = 1 + readFully(body, buffer, 1);
                next = length < partSize ? -1 : body.read();
            }
            try {
                s3.completeMultipartUpload(
                        r -> r.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
            } catch (SdkException e) {
                throw errors.map("complete multipart upload of", key, e);
            }
            return total;
        } catch (IOException | RuntimeException | Error e) {
            abort(key, uploadId, e);
            throw e;
        }
    }

    private CompletedPart uploadPart(String key, String uploadId, int partNumber, byte[] buffer, int length)
            throws IOException {
        try {
            String etag = s3.uploadPart(
                            r -> r.bucket(bucket)
                                    .key(key)
                                    .uploadId(uploadId)
                                    .partNumber(partNumber)
                                    .contentLength((long) length),
                            RequestBody.fromContentProvider(
                                    () -> new ByteArrayInputStream(buffer, 0, length),
                                    length,
                                    "application/octet-stream"))
                    .eTag();
            stats.countBytes(Operation.PUT, length);
            return CompletedPart.builder().partNumber(partNumber).eTag(etag).build();
        } catch (SdkException e) {
            throw errors.map("upload part " + partNumber + " of", key, e);
        }
    }

    private void abort(String key, String uploadId, Throwable failure) {
        try {
            s3.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            failure.addSuppressed(errors.map("abort multipart upload " + uploadId + " of", key, e));
        }
    }

    /** Reads until {@code buffer} is full or the stream ends; returns the bytes read from {@code from}. */
    private static int readFully(InputStream in, byte[] buffer, int from) throws IOException {
        int n = from;
        while (n < buffer.length) {
            int r = in.read(buffer, n, buffer.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n - from;
    }
}
