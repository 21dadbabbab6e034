package dev.litestack.replicator.replica;

import dev.litestack.replicator.Pos;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The one storage seam: every byte that reaches a replica goes through an implementation of
 * this interface. Implementations store and return object bodies as given: they neither
 * compress nor decompress (callers pass LZ4 frames, see {@code Lz4}). Names and paths are
 * built only by {@link ReplicaLayout}. A writer passes each LZ4 frame through {@link #seal} before
 * storing it, and a reader passes each whole stored body through {@link #unseal} before
 * decompressing it: for an age-encrypted replica ({@link AgeReplicaClient}) that is where the
 * encryption happens.
 *
 * <p>Contract (checked by the shared contract test suite):
 * <ul>
 *   <li>Listings are sorted: generations by name, snapshots by index, segments by (index, offset).
 *       Entries whose names do not match the grammar (temp files, upper-case hex...) are ignored.</li>
 *   <li>A listing of a generation that does not exist is empty, never an error.</li>
 *   <li>Opening an object that does not exist throws {@link java.nio.file.NoSuchFileException}.</li>
 *   <li>Deleting an object or generation that does not exist is not an error.</li>
 *   <li>A write is atomic: a reader sees either no object or the whole object; writing the same
 *       name again replaces it whole.</li>
 *   <li>{@code createdAt} of a listed object never precedes the end of the write that made it
 *       (file: mtime; S3: LastModified).</li>
 *   <li>Implementations are thread-safe.</li>
 * </ul>
 */
public interface ReplicaClient extends AutoCloseable {

    /** The replica type, as in the config ({@code file}, {@code s3}). */
    String type();

    /** Generation names present on the replica, sorted. */
    List<String> generations() throws IOException;

    /** Snapshots of one generation, sorted by index. */
    List<SnapshotInfo> snapshots(String generation) throws IOException;

    /** WAL segments of one generation, sorted by index then offset. */
    List<WalSegmentInfo> walSegments(String generation) throws IOException;

    /** Stores a snapshot body read from {@code body} to its end. The stream is not closed. */
    SnapshotInfo writeSnapshot(String generation, long index, InputStream body) throws IOException;

    /** Stores a WAL segment body whose name is {@code pos}. The stream is not closed. */
    WalSegmentInfo writeWalSegment(Pos pos, InputStream body) throws IOException;

    /** Opens a stored snapshot body. */
    InputStream openSnapshot(String generation, long index) throws IOException;

    /**
     * Opens {@code length} bytes of a stored snapshot body from {@code offset} (the restore reads
     * large snapshots in parallel ranges). Throws {@link java.nio.file.NoSuchFileException} if the
     * object is gone; a body shorter than asked is an {@link java.io.EOFException} when read.
     */
    default InputStream openSnapshotRange(String generation, long index, long offset, long length) throws IOException {
        InputStream in = openSnapshot(generation, index);
        try {
            in.skipNBytes(offset);
        } catch (IOException e) {
            in.close();
            throw e;
        }
        return new dev.litestack.replicator.util.BoundedInputStream(
                in, length, "snapshot " + generation + "/" + index + " range " + offset + "+" + length);
    }

    /** Opens a stored WAL segment body. */
    InputStream openWalSegment(Pos pos) throws IOException;

    void deleteSnapshot(String generation, long index) throws IOException;

    /** Deletes the named segments (implementations batch where the backend allows). */
    void deleteWalSegments(List<Pos> positions) throws IOException;

    /**
     * Deletes every object of a generation, its snapshots first: a deletion cut short (a kill, a failed request)
     * leaves a generation that cannot be restored at all, not one restored from a snapshot with WAL segments missing.
     */
    void deleteGeneration(String generation) throws IOException;

    /** What is stored for an LZ4 frame: the frame itself, or its age encryption. */
    default InputStream seal(InputStream lz4) throws IOException {
        return lz4;
    }

    /**
     * The LZ4 frame of a whole stored body ({@code name} names it in errors). Without age, an
     * age-encrypted body is refused with a message saying so.
     */
    default InputStream unseal(InputStream stored, String name) throws IOException {
        return dev.litestack.replicator.util.AgeCodec.refuseEncrypted(stored, name);
    }

    /** Where this replica keeps its single-writer lease. */
    default LeaseStore leaseStore() {
        throw new UnsupportedOperationException(type() + " replicas have no lease store");
    }

    /**
     * Checks the settings against the storage before replicating starts (S3: credentials, bucket,
     * endpoint, with one listing). A file replica has nothing to check.
     */
    default void verify() throws IOException {}

    /**
     * The client's operation and byte counts so far, if it keeps them (as in Litestream 0.3.13,
     * only S3 replicas report {@code litestream_replica_operation_*}).
     */
    default java.util.Optional<OperationStats> operationStats() {
        return java.util.Optional.empty();
    }

    /**
     * A number that changes whenever files this client wrote earlier may be gone or another writer may have
     * written since: here, each time the replica's lease is taken from nobody (its object was deleted, as with the
     * replica's whole folder or prefix) or from another holder. A writer that sees it change learns its position
     * from the replica again. Always 0 for a client without a lease.
     */
    default long term() {
        return 0;
    }

    /**
     * True if {@code generation} is known to be gone from the replica, where that can be told without a request (a
     * file replica's generation folder deleted); false where it cannot.
     */
    default boolean generationMissing(String generation) {
        return false;
    }

    /** A short description for logs and errors, e.g. {@code file:/var/backups/app}. */
    String describe();

    @Override
    default void close() throws IOException {}
}
