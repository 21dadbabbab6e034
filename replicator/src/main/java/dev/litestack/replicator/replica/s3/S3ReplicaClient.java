package dev.litestack.replicator.replica.s3;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.replica.OperationStats;
import dev.litestack.replicator.replica.OperationStats.Operation;
import dev.litestack.replicator.replica.ReplicaClient;
import dev.litestack.replicator.replica.ReplicaLayout;
import dev.litestack.replicator.replica.SnapshotInfo;
import dev.litestack.replicator.replica.WalSegmentInfo;
import dev.litestack.replicator.replica.s3.S3ReplicaException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A replica in an S3 or S3-compatible bucket (the {@code s3} type). Object times are the
 * LastModified values of the listing. Each call makes a bounded number of attempts with short
 * timeouts (see {@link S3Settings.Tuning}) and then fails with an {@link IOException} that names
 * the object; retrying across calls is the caller's business.
 */
public final class S3ReplicaClient implements ReplicaClient {

    /** S3's limit of keys per DeleteObjects request. */
    static final int DELETE_BATCH = 1000;

    private final S3Settings settings;
    private final SdkHttpClient http;
    private final S3Client s3;
    private final S3Errors errors;
    private final S3Stats stats = new S3Stats();
    private final S3Upload upload;

    private S3ReplicaClient(S3Settings settings, SdkHttpClient http, S3Client s3, Region region) {
        this.settings = settings;
        this.http = http;
        this.s3 = s3;
        this.errors = new S3Errors(settings.bucket(), S3Clients.endpointDescription(settings, region));
        this.upload = new S3Upload(s3, settings.bucket(), settings.tuning().partSize(), stats, errors);
    }

    /**
     * Opens a client. Without a region or endpoint this asks S3 for the bucket's region, so it can
     * fail; otherwise it makes no call. Run {@link #verify()} to check the settings against the server.
     *
     * @param env the process environment (for {@code LITESTREAM_*} credentials), usually {@code System.getenv()}
     */
    public static S3ReplicaClient open(S3Settings settings, Map<String, String> env) throws IOException {
        NssCrypto.install(env);
        SdkHttpClient http = S3Clients.httpClient(settings);
        try {
            AwsCredentialsProvider credentials = S3Clients.credentials(settings, env);
            Region region = S3Clients.region(settings, S3Clients.bucketLocator(settings, credentials, http));
            S3Client s3 = S3Clients.client(settings, region, credentials, http);
            return new S3ReplicaClient(settings, http, s3, region);
        } catch (IOException | RuntimeException e) {
            http.close();
            throw e;
        }
    }

    public S3Settings settings() {
        return settings;
    }

    @Override
    public java.util.Optional<OperationStats> operationStats() {
        return java.util.Optional.of(stats.snapshot());
    }

    @Override
    public dev.litestack.replicator.replica.LeaseStore leaseStore() {
        return new S3LeaseStore(s3, settings, errors, stats);
    }

    @Override
    public String type() {
        return "s3";
    }

    @Override
    public String describe() {
        return settings.describe();
    }

    /**
     * Fails fast on wrong credentials, a missing bucket or an unreachable endpoint: one listing
     * of at most one key under the prefix.
     */
    @Override
    public void verify() throws IOException {
        String root = settings.root();
        try {
            s3.listObjectsV2(r -> r.bucket(settings.bucket())
                    .prefix(root.isEmpty() ? null : root + "/")
                    .maxKeys(1));
            stats.countOperation(Operation.LIST);
        } catch (SdkException e) {
            throw errors.map("list", root, e);
        }
    }

    @Override
    public List<String> generations() throws IOException {
        String prefix = settings.key(ReplicaLayout.GENERATIONS) + "/";
        List<String> out = new ArrayList<>();
        list(prefix, true, page -> {
            for (CommonPrefix p : page.commonPrefixes()) {
                String name = p.prefix().substring(prefix.length());
                name = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
                if (Pos.isGeneration(name)) {
                    out.add(name);
                }
            }
        });
        return out.stream().distinct().sorted().toList();
    }

    @Override
    public List<SnapshotInfo> snapshots(String generation) throws IOException {
        String prefix = settings.key(ReplicaLayout.snapshotsKey(generation)) + "/";
        List<SnapshotInfo> out = new ArrayList<>();
        list(prefix, true, page -> {
            for (S3Object o : page.contents()) {
                OptionalLong index = ReplicaLayout.parseSnapshotName(o.key().substring(prefix.length()));
                if (index.isPresent()) {
                    out.add(new SnapshotInfo(generation, index.getAsLong(), o.size(), o.lastModified()));
                }
            }
        });
        out.sort(Comparator.comparingLong(SnapshotInfo::index));
        return out;
    }

    @Override
    public List<WalSegmentInfo> walSegments(String generation) throws IOException {
        String prefix = settings.key(ReplicaLayout.walKey(generation)) + "/";
        List<WalSegmentInfo> out = new ArrayList<>();
        list(prefix, true, page -> {
            for (S3Object o : page.contents()) {
                ReplicaLayout.parseWalSegmentName(o.key().substring(prefix.length()))
                        .ifPresent(io -> out.add(
                                new WalSegmentInfo(generation, io.index(), io.offset(), o.size(), o.lastModified())));
            }
        });
        out.sort(Comparator.comparingLong(WalSegmentInfo::index).thenComparingLong(WalSegmentInfo::offset));
        return out;
    }

    /**
     * Lists every page under {@code prefix} (ListObjectsV2, optionally with delimiter '/'). A page marked truncated
     * without a continuation token (a server that does not follow the protocol) is continued after its last key or
     * prefix, as ListObjects v1 clients do; one with neither fails the listing rather than end it: a listing cut
     * short made restores miss data and a replica's position go back.
     */
    private void list(String prefix, boolean delimited, Consumer<ListObjectsV2Response> onPage) throws IOException {
        String token = null;
        String after = null;
        do {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder()
                    .bucket(settings.bucket())
                    .prefix(prefix)
                    .continuationToken(token)
                    .startAfter(token == null ? after : null);
            if (delimited) {
                request.delimiter("/");
            }
            ListObjectsV2Response page;
            try {
                page = s3.listObjectsV2(request.build());
            } catch (SdkException e) {
                throw errors.map("list", prefix, e);
            }
            stats.countOperation(Operation.LIST);
            onPage.accept(page);
            if (!Boolean.TRUE.equals(page.isTruncated())) {
                return;
            }
            token = page.nextContinuationToken();
            if (token == null) {
                String last = lastName(page);
                if (last == null || last.equals(after)) {
                    throw new IOException("cannot list " + describe() + "/" + prefix + ": the server marked a page"
                            + " truncated but gave no continuation token and no key to continue after");
                }
                after = last;
            }
        } while (true);
    }

    /**
     * Where the listing goes on after a page: its greatest key, or past everything under its greatest common prefix
     * (the prefix with its closing '/' raised to '0'); null if the page has neither.
     */
    private static String lastName(ListObjectsV2Response page) {
        String last = null;
        for (S3Object o : page.contents()) {
            last = last == null || o.key().compareTo(last) > 0 ? o.key() : last;
        }
        for (CommonPrefix p : page.commonPrefixes()) {
            String past = p.prefix().endsWith("/")
                    ? p.prefix().substring(0, p.prefix().length() - 1) + "0"
                    : p.prefix();
            last = last == null || past.compareTo(last) > 0 ? past : last;
        }
        return last;
    }

    /**
     * {@inheritDoc} The returned {@code createdAt} is the local time at the end of the upload; a
     * later listing reports the server's LastModified (whole seconds on AWS).
     */
    @Override
    public SnapshotInfo writeSnapshot(String generation, long index, InputStream body) throws IOException {
        long size = upload.upload(settings.key(ReplicaLayout.snapshotKey(generation, index)), body);
        return new SnapshotInfo(generation, index, size, Instant.now());
    }

    @Override
    public WalSegmentInfo writeWalSegment(Pos pos, InputStream body) throws IOException {
        String key = settings.key(ReplicaLayout.walSegmentKey(pos.generation(), pos.index(), pos.offset()));
        long size = upload.upload(key, body);
        return new WalSegmentInfo(pos.generation(), pos.index(), pos.offset(), size, Instant.now());
    }

    @Override
    public InputStream openSnapshot(String generation, long index) throws IOException {
        return get(settings.key(ReplicaLayout.snapshotKey(generation, index)), null);
    }

    @Override
    public InputStream openWalSegment(Pos pos) throws IOException {
        return get(settings.key(ReplicaLayout.walSegmentKey(pos.generation(), pos.index(), pos.offset())), null);
    }

    /** A ranged GetObject ({@code Range: bytes=offset-(offset+length-1)}). */
    @Override
    public InputStream openSnapshotRange(String generation, long index, long offset, long length) throws IOException {
        String key = settings.key(ReplicaLayout.snapshotKey(generation, index));
        return new dev.litestack.replicator.util.BoundedInputStream(
                get(key, "bytes=" + offset + "-" + (offset + length - 1)),
                length,
                "snapshot " + key + " range " + offset + "+" + length);
    }

    /**
     * GetObject of a whole object, or of {@code range} (an HTTP Range value) when it is not null.
     * The caller reads and closes the response body stream.
     */
    private InputStream get(String key, String range) throws IOException {
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = s3.getObject(r -> r.bucket(settings.bucket()).key(key).range(range));
        } catch (SdkException e) {
            throw errors.mapRead("get", key, e);
        }
        stats.countOperation(Operation.GET);
        Long length = in.response().contentLength();
        stats.countBytes(Operation.GET, length == null ? 0 : length);
        return in;
    }

    @Override
    public void deleteSnapshot(String generation, long index) throws IOException {
        deleteObject(settings.key(ReplicaLayout.snapshotKey(generation, index)));
    }

    /** One DeleteObject (deleting a key that is not there succeeds). */
    private void deleteObject(String key) throws IOException {
        try {
            s3.deleteObject(r -> r.bucket(settings.bucket()).key(key));
        } catch (SdkException e) {
            throw errors.map("delete", key, e);
        }
        stats.countOperation(Operation.DELETE);
    }

    @Override
    public void deleteWalSegments(List<Pos> positions) throws IOException {
        List<String> keys = new ArrayList<>(positions.size());
        for (Pos p : positions) {
            keys.add(settings.key(ReplicaLayout.walSegmentKey(p.generation(), p.index(), p.offset())));
        }
        deleteKeys(keys);
    }

    @Override
    public void deleteGeneration(String generation) throws IOException {
        String prefix = settings.key(ReplicaLayout.generationKey(generation)) + "/";
        String snapshots = settings.key(ReplicaLayout.snapshotsKey(generation)) + "/";
        List<String> first = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        list(
                prefix,
                false,
                page -> page.contents().forEach(o -> (o.key().startsWith(snapshots) ? first : rest).add(o.key())));
        deleteKeys(contentsBeforeFolders(first)); // a call of its own: DeleteObjects deletes in no set order
        deleteKeys(contentsBeforeFolders(rest));
    }

    /**
     * {@code keys} with the folder markers (keys ending in {@code /}, which some servers list: s3proxy's filesystem
     * store lists {@code generations/<g>/snapshots/} before the snapshots in it) moved after everything else, the
     * deepest first: a server that keeps folders deletes an empty one at once, while deleting one that still holds
     * files took s3proxy 10 s each.
     */
    static List<String> contentsBeforeFolders(List<String> keys) {
        List<String> out = new ArrayList<>(keys.size());
        List<String> folders = new ArrayList<>();
        for (String k : keys) {
            (k.endsWith("/") ? folders : out).add(k);
        }
        folders.sort(java.util.Comparator.comparingInt(String::length)
                .reversed()
                .thenComparing(java.util.Comparator.reverseOrder()));
        out.addAll(folders);
        return out;
    }

    /**
     * DeleteObjects in batches of at most {@value #DELETE_BATCH} keys, quiet; per-key errors fail the call. A server
     * that refuses DeleteObjects as this SDK sends it (it always adds an {@code x-amz-checksum-crc32} header, which
     * servers that predate it answer with 501 NotImplemented or 400) gets one DeleteObject per key for the rest of
     * the call.
     */
    private void deleteKeys(List<String> keys) throws IOException {
        boolean oneByOne = false; // tried again at the next call: the refusal may have been a proxy's, now gone
        for (int from = 0; from < keys.size(); from += DELETE_BATCH) {
            List<String> batch = keys.subList(from, Math.min(keys.size(), from + DELETE_BATCH));
            if (oneByOne) {
                deleteEach(batch);
                continue;
            }
            List<ObjectIdentifier> ids = batch.stream()
                    .map(k -> ObjectIdentifier.builder().key(k).build())
                    .toList();
            DeleteObjectsResponse response;
            try {
                response = s3.deleteObjects(r ->
                        r.bucket(settings.bucket()).delete(d -> d.objects(ids).quiet(true)));
            } catch (SdkException e) {
                // a server that refuses the request may also answer before reading its body (100 KB for 1,000 keys)
                // and close the connection: the SDK then sees its write fail, not the refusal. One DeleteObject per
                // key tells a refusal (they work) from a network down (they fail too, with their own error)
                boolean refused =
                        e instanceof AwsServiceException aws ? refusesChecksumHeader(aws) : cutOffWhileSending(e);
                if (!refused) {
                    throw errors.map("delete " + batch.size() + " objects from", batch.get(0), e);
                }
                oneByOne = true;
                deleteEach(batch);
                continue;
            }
            stats.countOperation(Operation.DELETE);
            List<S3Error> failed = response.errors().stream()
                    .filter(err -> !"NoSuchKey".equals(err.code()))
                    .toList();
            if (!failed.isEmpty()) {
                S3Error first = failed.get(0);
                throw new S3ReplicaException(
                        Reason.REQUEST_FAILED,
                        "delete " + errors.object(first.key()) + ": "
                                + failed.size() + " of " + batch.size() + " objects not deleted; first: " + first.code()
                                + ": " + first.message(),
                        null);
            }
        }
    }

    /**
     * Whether a DeleteObjects failure is the server refusing how the SDK sends it (a checksum header it does not
     * implement, a Content-MD5 it wants), not a failure of this request (an expired token, a timeout: also 400s).
     */
    static boolean refusesChecksumHeader(AwsServiceException e) {
        if (e.statusCode() == 501) {
            return true;
        }
        if (e.statusCode() != 400) {
            return false;
        }
        String code = S3Errors.code(e);
        String message = String.valueOf(
                        e.awsErrorDetails() == null
                                ? e.getMessage()
                                : e.awsErrorDetails().errorMessage())
                .toLowerCase(java.util.Locale.ROOT);
        return code.equals("MissingContentMD5")
                || code.equals("NotImplemented")
                || ((code.equals("InvalidRequest") || code.equals("InvalidArgument"))
                        && (message.contains("checksum") || message.contains("content-md5")));
    }

    /** Whether a request failed on the connection (its body not all sent, the connection reset), not with an answer. */
    private static boolean cutOffWhileSending(SdkException e) {
        if (Thread.currentThread().isInterrupted()) {
            return false;
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof java.io.InterruptedIOException || t instanceof InterruptedException) {
                return false; // stopped, not refused
            }
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private void deleteEach(List<String> keys) throws IOException {
        for (String key : keys) {
            deleteObject(key);
        }
    }

    @Override
    public void close() {
        try {
            s3.close();
        } finally {
            http.close();
        }
    }

    @Override
    public String toString() {
        return "S3ReplicaClient[" + describe() + "]";
    }
}
