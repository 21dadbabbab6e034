package dev.litestack.replicator.sqlite;

/**
 * Walks whole frames of one WAL life, checking salts and the checksum chain the way SQLite does
 * on recovery, and reports where the last complete transaction ends.
 */
public final class WalScanner {

    private final WalHeader header;
    private final int frameSize;
    private final int[] words;
    private int s0;
    private int s1;
    private long frames;
    private long lastCommitFrames;
    private int lastCommitSize;
    private int lastCommitS0;
    private int lastCommitS1;

    /** A scanner positioned after the header (no frames yet). */
    public WalScanner(WalHeader header) {
        this(header, header.checksum());
    }

    /** A scanner that continues a chain whose last checksum is {@code last}. */
    public WalScanner(WalHeader header, Checksum last) {
        this.header = header;
        this.frameSize = header.frameSize();
        this.words = new int[(frameSize - FrameHeader.SIZE) / 4];
        this.s0 = last.s0();
        this.s1 = last.s1();
        this.lastCommitS0 = s0;
        this.lastCommitS1 = s1;
    }

    public int frameSize() {
        return frameSize;
    }

    /**
     * Checks one frame at {@code b[off..off+frameSize)}. Returns false (and changes nothing) if the
     * frame's salts or checksums do not continue the chain, i.e. it is not a valid frame of this WAL life,
     * or if its page number or its database size (on a commit) is 2^31 or more (or the page number 0),
     * which no database this replicator handles has.
     */
    public boolean accept(byte[] b, int off) {
        FrameHeader fh = FrameHeader.parse(b, off);
        if (fh.salt1() != header.salt1() || fh.salt2() != header.salt2() || fh.pageNo() <= 0 || fh.commitSize() < 0) {
            return false;
        }
        boolean be = header.bigEndianChecksums();
        Checksum sum = WalChecksum.compute(be, b, off, 8, new Checksum(s0, s1), words);
        sum = WalChecksum.compute(be, b, off + FrameHeader.SIZE, frameSize - FrameHeader.SIZE, sum, words);
        if (sum.s0() != fh.checksum1() || sum.s1() != fh.checksum2()) {
            return false;
        }
        s0 = sum.s0();
        s1 = sum.s1();
        frames++;
        if (fh.isCommit()) {
            lastCommitFrames = frames;
            lastCommitSize = fh.commitSize();
            lastCommitS0 = s0;
            lastCommitS1 = s1;
        }
        return true;
    }

    /** Frames accepted so far. */
    public long frames() {
        return frames;
    }

    /** Frames up to and including the last commit frame accepted. */
    public long committedFrames() {
        return lastCommitFrames;
    }

    /** Database size in pages after the last accepted commit (0 if none). */
    int lastCommitSize() {
        return lastCommitSize;
    }

    /** The chain checksum at the last commit frame. */
    public Checksum committedChecksum() {
        return new Checksum(lastCommitS0, lastCommitS1);
    }
}
