package dev.litestack.replicator.restore;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.sqlite.Checksum;
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
 * commit frame has arrived, so the file always holds a committed state. The pages go to a
 * {@link Sink}: the restore's writes them into the file; {@code restore -f} collects them into one
 * journaled batch.
 */
public final class WalApplier {

    /** Where committed pages go. */
    public interface Sink {
        /** One page image, {@code page} positioned on its {@code pageSize} bytes. */
        void page(int pgno, ByteBuffer page) throws IOException;

        /** A transaction's commit frame has been passed to {@link #page}: the database now has {@code pages} pages. */
        void commit(int pages) throws IOException;
    }

    /** Pending (uncommitted) bytes kept in memory before they are written ahead of their commit. */
    private static final long PENDING_LIMIT = 32L << 20;

    private final Sink sink;
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
    private byte[] headerBytes;
    private long committedOffset;

    WalApplier(FileChannel db, int pageSize) {
        this(
                new Sink() {
                    @Override
                    public void page(int pgno, ByteBuffer page) throws IOException {
                        long at = (long) (pgno - 1) * pageSize;
                        int start = page.position();
                        while (page.hasRemaining()) {
                            db.write(page, at + page.position() - start);
                        }
                    }

                    @Override
                    public void commit(int pages) throws IOException {
                        long size = (long) pages * pageSize;
                        db.truncate(size);
                        if (db.size() < size) {
                            db.write(ByteBuffer.allocate(1), size - 1);
                        }
                    }
                },
                pageSize);
    }

    public WalApplier(Sink sink, int pageSize) {
        this.sink = sink;
        this.pageSize = pageSize;
    }

    public long transactions() {
        return transactions;
    }

    /**
     * Continues a WAL index where {@code cursor} ended (after a restore or an earlier batch): the
     * next segment must start at the cursor's offset, and its frames must continue the cursor's
     * checksum chain.
     */
    public void resume(WalCursor cursor) throws IOException {
        index = cursor.pos().index();
        expectedOffset = cursor.pos().offset();
        committedOffset = expectedOffset;
        if (cursor.header() != null) {
            try {
                header = WalHeader.parse(cursor.header());
            } catch (WalFormatException e) {
                throw new RestoreException("invalid wal header in the saved position: " + e.getMessage());
            }
            headerBytes = cursor.header().clone();
            scanner = new WalScanner(header, new Checksum(cursor.checksum1(), cursor.checksum2()));
        }
    }

    /**
     * Where the last applied commit ends in {@code generation}: the next segment's position and the
     * chain to continue; null before any segment.
     */
    public WalCursor cursor(String generation) {
        if (index < 0) {
            return null;
        }
        if (header == null) {
            return new WalCursor(Pos.start(generation, index), null, 0, 0);
        }
        Checksum sum = scanner.committedChecksum();
        return new WalCursor(new Pos(generation, index, committedOffset), headerBytes.clone(), sum.s0(), sum.s1());
    }

    /** Starts the bytes of one segment object (named for messages) at {@code offset} of {@code idx}. */
    public void beginSegment(String objectName, long idx, long offset) throws IOException {
        if (idx != index) {
            endIndex();
            if (offset != 0) {
                throw new RestoreException("missing initial wal segment: " + objectName);
            }
            index = idx;
            expectedOffset = 0;
            committedOffset = 0;
            header = null;
            headerBytes = null;
        }
        if (offset != expectedOffset) {
            throw new RestoreException("wal segment " + objectName + " starts at offset " + offset
                    + " but the previous segments end at " + expectedOffset + " (a segment is missing)");
        }
        object = objectName;
    }

    /** Feeds decompressed bytes of the current segment. */
    public void accept(byte[] b, int off, int len) throws IOException {
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
            headerBytes = java.util.Arrays.copyOfRange(data, pos, pos + WalHeader.SIZE);
            pos += WalHeader.SIZE;
            expectedOffset += WalHeader.SIZE;
            committedOffset = expectedOffset;
        }
        int fs = header.frameSize();
        while (end - pos >= fs) {
            if (!scanner.accept(data, pos)) {
                throw new RestoreException("wal frame at offset " + expectedOffset + " of index "
                        + RestorePlanner.hex(index) + " in " + object
                        + " fails its salt or checksum check (or names a page or database size past 2^31 pages)");
            }
            FrameHeader fh = FrameHeader.parse(data, pos);
            byte[] frame = java.util.Arrays.copyOfRange(data, pos, pos + fs);
            pending.add(frame);
            pendingBytes += fs;
            pos += fs;
            expectedOffset += fs;
            if (fh.isCommit()) {
                writePending();
                sink.commit(fh.commitSize());
                committedOffset = expectedOffset;
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
    public void endSegment() throws IOException {
        if (partial.length > 0) {
            throw new RestoreException(
                    "wal segment " + object + " ends inside a frame (" + partial.length + " stray bytes)");
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
            throw new RestoreException(
                    "wal index " + RestorePlanner.hex(index) + " ends inside a transaction of more than "
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
            sink.page(FrameHeader.parse(frame, 0).pageNo(), ByteBuffer.wrap(frame, FrameHeader.SIZE, pageSize));
        }
        pending.clear();
        pendingBytes = 0;
    }
}
