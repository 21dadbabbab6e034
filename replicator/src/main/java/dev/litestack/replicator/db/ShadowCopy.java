package dev.litestack.replicator.db;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.sqlite.Checksum;
import dev.litestack.replicator.sqlite.SqliteFiles;
import dev.litestack.replicator.sqlite.WalFormatException;
import dev.litestack.replicator.sqlite.WalHeader;
import dev.litestack.replicator.sqlite.WalScanner;
import dev.litestack.replicator.util.IoErrors;
import dev.litestack.replicator.util.Log;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The shadow WAL's state machine: which generation and index the copy is at, whether the real WAL
 * still continues it, and the copying of newly committed frames. Used only under the database lock.
 */
final class ShadowCopy {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** Litestream starts a new generation once the index reaches this value. */
    static final long MAX_INDEX = 0x7FFF_FFFFL;

    private final Path dbPath;
    private Path walPath;
    private final ShadowWal shadow;
    private final DbStats stats;
    private final Log log;

    private String generation;
    private long index;
    private long size;
    private byte[] header;
    private Checksum chain;
    /** The frame copy buffer (about 1 MiB), reused across syncs. */
    private byte[] copyBuf;

    ShadowCopy(Path dbPath, ShadowWal shadow, DbStats stats, Log log) {
        this.dbPath = dbPath;
        this.walPath = SqliteFiles.wal(dbPath);
        this.shadow = shadow;
        this.stats = stats;
        this.log = log;
    }

    /** The WAL to copy from now on: the database was opened again, and a link on its path may lead elsewhere. */
    void useWal(Path wal) {
        walPath = wal;
    }

    String generation() {
        return generation;
    }

    long index() {
        return index;
    }

    /** Size of the current shadow file: the offset of the current position. */
    long size() {
        return size;
    }

    /** The current position, or null before the first generation. */
    Pos pos() {
        return generation == null ? null : new Pos(generation, index, size);
    }

    long walSize() throws IOException {
        try {
            return Files.size(walPath);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw IoErrors.wrap("cannot stat wal", walPath, e);
        }
    }

    /** Bytes of the real WAL; errors name the WAL and the reason. */
    private byte[] readWal(long offset, int len) throws IOException {
        try {
            return ShadowWal.readRange(walPath, offset, len);
        } catch (IOException e) {
            throw IoErrors.wrap("cannot read wal", walPath, e);
        }
    }

    /**
     * The real WAL's header, or null if the WAL is shorter than one: emptied by a TRUNCATE checkpoint (the app's may run
     * whenever this process's read transaction is on no WAL frame) and not written since.
     */
    private byte[] readWalHeader() throws IOException {
        if (walSize() < WalHeader.SIZE) {
            return null;
        }
        try {
            return readWal(0, WalHeader.SIZE);
        } catch (IOException e) {
            if (walSize() < WalHeader.SIZE) {
                return null; // emptied between the size and the read
            }
            throw e;
        }
    }

    /** Frames in the current shadow file. */
    long frames(int pageSize) {
        return (size - WalHeader.SIZE) / (pageSize + 24);
    }

    /**
     * Continues the generation named by the generation file if the real WAL still matches its
     * newest shadow file; otherwise clears it, so the next sync starts a new generation.
     */
    void resume() throws IOException {
        generation = shadow.readGeneration();
        if (generation != null && !resumeGeneration()) {
            shadow.clearGeneration();
            generation = null;
        }
        shadow.removeOtherGenerations(generation == null ? "" : generation);
    }

    private boolean resumeGeneration() throws IOException {
        List<Long> idx = shadow.indexes(generation);
        if (idx.isEmpty()) {
            log.warn("init: no shadow wal, clearing generation", "db", dbPath, "generation", generation);
            return false;
        }
        index = idx.get(idx.size() - 1);
        if (shadow.size(generation, index) < WalHeader.SIZE || walSize() < WalHeader.SIZE) {
            log.warn("init: cannot determine last wal position, clearing generation", "db", dbPath);
            return false;
        }
        byte[] real = readWal(0, WalHeader.SIZE);
        byte[] mine = shadow.readHeader(generation, index);
        if (!WalHeader.sameBytes(real, mine)) {
            log.warn(
                    "init: wal header changed while stopped, clearing generation",
                    "db",
                    dbPath,
                    "generation",
                    generation);
            return false;
        }
        try {
            chain = shadow.repair(generation, index);
            header = mine;
        } catch (WalFormatException e) {
            log.warn("init: shadow wal unreadable, clearing generation", "db", dbPath, "error", e);
            return false;
        }
        size = shadow.size(generation, index);
        return true;
    }

    /**
     * Returns the reason continuity is broken (a new generation is needed), or null if it holds.
     * A new WAL header continues the generation only if it is the successor of the shadow's
     * ({@link WalHeader#isRestartedBy}) and our read transaction was held all along.
     */
    String verify(boolean readLockHeld, int pageSize) throws IOException {
        if (generation == null) {
            return "no generation exists";
        }
        if (index >= MAX_INDEX) {
            return "max index exceeded";
        }
        long onDisk = shadow.size(generation, index);
        if (onDisk < 0) {
            return "no shadow wal";
        }
        if (onDisk < WalHeader.SIZE) {
            return "short shadow wal";
        }
        byte[] real = size > walSize() ? null : readWalHeader();
        if (real == null) {
            return "wal truncated by another process";
        }
        if (!WalHeader.sameBytes(real, header)) {
            WalHeader next;
            try {
                next = WalHeader.parse(real);
            } catch (WalFormatException e) {
                return "invalid wal header: " + e.getMessage();
            }
            boolean restarted = WalHeader.parse(header).isRestartedBy(next) && readLockHeld;
            return restarted ? null : "wal header mismatch";
        }
        if (size > WalHeader.SIZE) {
            int fs = pageSize + 24;
            byte[] last = ShadowWal.readRange(shadow.file(generation, index), size - fs, fs);
            byte[] now = readWal(size - fs, fs);
            if (!Arrays.equals(last, now)) {
                return "wal overwritten by another process";
            }
        }
        return null;
    }

    /** Starts a new generation at index 0 with the real WAL's current header. */
    void newGeneration(String reason) throws IOException {
        byte[] id = new byte[8];
        RANDOM.nextBytes(id);
        String gen = HexFormat.of().formatHex(id);
        byte[] real = readWalHeader();
        if (real == null) {
            throw new IOException("cannot start a generation: " + walPath
                    + " was emptied by another process's checkpoint meanwhile (the next sync starts it)");
        }
        WalHeader h = WalHeader.parse(real);
        shadow.create(gen, 0, real);
        shadow.writeGeneration(gen);
        generation = gen;
        index = 0;
        size = WalHeader.SIZE;
        header = real;
        chain = h.checksum();
        shadow.removeOtherGenerations(gen);
        log.info("sync: new generation", "db", dbPath, "generation", gen, "reason", reason);
    }

    /** How many frames of the WAL with a given header SQLite's index counts as committed; -1: unknown. */
    interface CommittedFrames {
        long of(byte[] walHeader) throws IOException;
    }

    /**
     * Appends every newly committed frame of the real WAL to the current shadow file. If the WAL
     * was restarted (verified legitimate by {@link #verify}), shadow index+1 starts first. Frames
     * past the count SQLite's index gives ({@code committed}) are left, whatever they look like: a
     * writer that died before counting them never committed them, and the next one overwrites them
     * (without a count, every frame up to the last valid commit frame is taken, as Litestream does).
     * Returns true if the position changed.
     */
    boolean copyFrames(CommittedFrames committed) throws IOException {
        boolean changed = false;
        byte[] real = readWalHeader();
        if (real == null) {
            return false; // nothing to copy: the next write begins the WAL again, a restart verify() checks
        }
        if (!WalHeader.sameBytes(real, header)) {
            WalHeader h = WalHeader.parse(real);
            index++;
            shadow.create(generation, index, real);
            header = real;
            size = WalHeader.SIZE;
            chain = h.checksum();
            changed = true;
            log.debug("sync: wal restarted, new shadow index", "db", dbPath, "position", pos());
        }
        WalHeader hdr = WalHeader.parse(header);
        int fs = hdr.frameSize();
        long walSize = walSize();
        if (walSize - size < fs) {
            return changed;
        }
        long counted = committed.of(header);
        if (counted >= 0) {
            walSize = Math.min(walSize, WalHeader.SIZE + counted * fs);
            if (walSize - size < fs) {
                return changed;
            }
        }
        WalScanner scanner = new WalScanner(hdr, chain);
        byte[] buf = copyBuffer(fs);
        long start = size;
        try (FileChannel in = openChannel(walPath, "cannot read wal", StandardOpenOption.READ);
                FileChannel out = openChannel(
                        shadow.file(generation, index), "cannot write shadow wal", StandardOpenOption.WRITE)) {
            long at = start;
            boolean valid = true;
            while (valid && at + fs <= walSize) {
                int want = (int) Math.min(buf.length, ((walSize - at) / fs) * fs);
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, want);
                while (bb.hasRemaining()) {
                    if (in.read(bb, at + bb.position()) < 0) {
                        break;
                    }
                }
                int got = (bb.position() / fs) * fs;
                int ok = 0;
                while (ok < got && scanner.accept(buf, ok)) {
                    ok += fs;
                }
                valid = ok == got && got == want;
                if (ok > 0) {
                    ByteBuffer w = ByteBuffer.wrap(buf, 0, ok);
                    while (w.hasRemaining()) {
                        out.write(w, at + w.position());
                    }
                }
                at += ok;
            }
            long end = start + scanner.committedFrames() * fs;
            if (end != at) {
                out.truncate(end);
            }
            if (end > start) {
                out.force(false);
                stats.copied(end - start);
                size = end;
                chain = scanner.committedChecksum();
                changed = true;
            }
        }
        return changed;
    }

    /**
     * Opens the WAL or a shadow file for one copy. Opening and closing the WAL here is safe: SQLite
     * places its POSIX locks on the database file and the -shm file, never on the -wal, so closing
     * a descriptor of the WAL cannot drop them (the database file itself is only read through
     * {@link DbFiles}).
     */
    private static FileChannel openChannel(Path file, String operation, StandardOpenOption mode) throws IOException {
        try {
            return FileChannel.open(file, mode);
        } catch (IOException e) {
            throw IoErrors.wrap(operation, file, e);
        }
    }

    private byte[] copyBuffer(int frameSize) {
        int want = frameSize * Math.max(1, (1 << 20) / frameSize);
        if (copyBuf == null || copyBuf.length != want) {
            copyBuf = new byte[want];
        }
        return copyBuf;
    }
}
