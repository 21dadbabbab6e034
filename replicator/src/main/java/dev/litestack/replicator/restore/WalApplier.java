package dev.litestack.replicator.restore;

import dev.litestack.replicator.sqlite.FrameHeader;
import dev.litestack.replicator.sqlite.WalFormatException;
import dev.litestack.replicator.sqlite.WalHeader;
import dev.litestack.replicator.sqlite.WalScanner;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies WAL indexes to a database file the way a SQLite checkpoint does: every committed frame's
 * page image is written at its page's offset, and the file is cut or grown to the commit's size.
 * Frames are checked (salts, checksum chain, contiguity) and a transaction is written only once its
 * commit frame has arrived, so the file always holds a committed state.
 */
final class WalApplier {

    /** Pending (uncommitted) bytes kept in memory before they are written ahead of their commit. */
    private static final long PENDING_LIMIT = 32L << 20;

    private final FileChannel db;
    private final int pageSize;
    private String object;
    private long index = -1;
    private long expectedOffset;
    private WalHeader header;
    private WalScanner scanner;
    private byte[] partial = new byte[0];
    private final List<byte[]> pending = new ArrayList<>();
    private long pendingBytes;
    private boolean wroteAhead;
    private long transactions;
    private long droppedFrames;

    WalApplier(FileChannel db, int pageSize) {
        this.db = db;
        this.pageSize = pageSize;
    }

    long transactions() {
        return transactions;
    }

    /** Starts the bytes of one segment object (named for messages) at {@code offset} of {@code idx}. */
    void beginSegment(String objectName, long idx, long offset) throws IOException {
        if (idx != index) {
            endIndex();
            if (offset != 0) {
                throw new RestoreException("missing initial wal segment: " + objectName);
            }
            index = idx;
            expectedOffset = 0;
            header = null;
        }
        if (offset != expectedOffset) {
            throw new RestoreException("wal segment " + objectName + " starts at offset " + offset
                    + " but the previous segments end at " + expectedOffset + " (a segment is missing)");
        }
        object = objectName;
    }

    /** Feeds decompressed bytes of the current segment. */
    void accept(byte[] b, int off, int len) throws IOException {
        byte[] data = b;
        int pos = off;
        int end = off + len;
        if (partial.length > 0) {
            data = new byte[partial.length + len];
            System.arraycopy(partial, 0, data, 0, partial.length);
            System.arraycopy(b, off, data, partial.length, len);
            pos = 0;
            end = data.length;
            partial = new byte[0];
        }
        if (header == null) {
            if (end - pos < WalHeader.SIZE) {
                partial = java.util.Arrays.copyOfRange(data, pos, end);
                return;
            }
            try {
                header = WalHeader.parse(data, pos);
            } catch (WalFormatException e) {
                throw new RestoreException("invalid wal header in " + object + ": " + e.getMessage());
            }
            if (header.pageSize() != pageSize) {
                throw new RestoreException("wal page size " + header.pageSize() + " in " + object
                        + " does not match the snapshot's page size " + pageSize);
            }
            scanner = new WalScanner(header);
            pos += WalHeader.SIZE;
            expectedOffset += WalHeader.SIZE;
        }
        int fs = header.frameSize();
        while (end - pos >= fs) {
            if (!scanner.accept(data, pos)) {
                throw new RestoreException("wal frame at offset " + expectedOffset + " of index "
                        + RestorePlanner.hex(index) + " in " + object + " fails its salt or checksum check");
            }
            FrameHeader fh = FrameHeader.parse(data, pos);
            byte[] frame = java.util.Arrays.copyOfRange(data, pos, pos + fs);
            pending.add(frame);
            pendingBytes += fs;
            pos += fs;
            expectedOffset += fs;
            if (fh.isCommit()) {
                writePending();
                db.truncate((long) fh.commitSize() * pageSize);
                setLength((long) fh.commitSize() * pageSize);
                wroteAhead = false;
                transactions++;
            } else if (pendingBytes > PENDING_LIMIT) {
                writePending();
                wroteAhead = true;
            }
        }
        if (pos < end) {
            partial = java.util.Arrays.copyOfRange(data, pos, end);
        }
    }

    /** Ends the current segment: it must hold whole frames. */
    void endSegment() throws IOException {
        if (partial.length > 0) {
            throw new RestoreException("wal segment " + object + " ends inside a frame ("
                    + partial.length + " stray bytes)");
        }
        if (header == null) {
            throw new RestoreException("wal segment " + object + " is shorter than a wal header");
        }
    }

    /** Ends the current index: an uncommitted tail is dropped, as SQLite would. */
    void endIndex() throws IOException {
        if (index < 0) {
            return;
        }
        if (wroteAhead) {
            throw new RestoreException("wal index " + RestorePlanner.hex(index) + " ends inside a transaction of more than "
                    + (PENDING_LIMIT >> 20) + " MiB whose pages were already applied; cannot stop at a commit");
        }
        droppedFrames += pending.size();
        pending.clear();
        pendingBytes = 0;
        index = -1;
    }

    /** Frames of uncommitted transactions that were dropped. */
    long droppedFrames() {
        return droppedFrames;
    }

    private void writePending() throws IOException {
        for (byte[] frame : pending) {
            int pgno = FrameHeader.parse(frame, 0).pageNo();
            ByteBuffer bb = ByteBuffer.wrap(frame, FrameHeader.SIZE, pageSize);
            long at = (long) (pgno - 1) * pageSize;
            while (bb.hasRemaining()) {
                db.write(bb, at + bb.position() - FrameHeader.SIZE);
            }
        }
        pending.clear();
        pendingBytes = 0;
    }

    private void setLength(long size) throws IOException {
        if (db.size() < size) {
            db.write(ByteBuffer.allocate(1), size - 1);
        }
    }
}
