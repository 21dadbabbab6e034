package dev.litestack.replicator.follow;

import dev.litestack.replicator.restore.WalApplier;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.TreeMap;

/**
 * The committed transactions of one poll, collected as the newest image of each page, to be
 * applied to the output database as one change. Page images wait in a spill file beside the output,
 * so memory holds only the page numbers, however large the transactions.
 */
final class PageBatch implements WalApplier.Sink, FollowedDb.PageSource, AutoCloseable {

    private final Path spillPath;
    private final int pageSize;
    private final TreeMap<Integer, Long> slots = new TreeMap<>();
    private FileChannel spill;
    private long nextSlot;
    private int pages;
    private long transactions;

    PageBatch(Path spillPath, int pageSize) {
        this.spillPath = spillPath;
        this.pageSize = pageSize;
    }

    @Override
    public void page(int pgno, ByteBuffer page) throws IOException {
        if (spill == null) {
            spill = FileChannel.open(
                    spillPath,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        }
        Long slot = slots.get(pgno);
        if (slot == null) {
            slot = nextSlot++;
            slots.put(pgno, slot);
        }
        long at = slot * pageSize;
        int start = page.position();
        while (page.hasRemaining()) {
            spill.write(page, at + page.position() - start);
        }
    }

    @Override
    public void commit(int dbPages) {
        pages = dbPages;
        // pages cut off by this commit are gone, whatever earlier transactions wrote to them
        slots.tailMap(dbPages, false).clear();
        transactions++;
    }

    long transactions() {
        return transactions;
    }

    @Override
    public int pages() {
        return pages;
    }

    @Override
    public int[] pageNumbers() {
        return slots.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void read(int pgno, ByteBuffer dst) throws IOException {
        long at = slots.get(pgno) * pageSize;
        int start = dst.position();
        while (dst.hasRemaining()) {
            if (spill.read(dst, at + dst.position() - start) < 0) {
                throw new IOException("spill file " + spillPath + " is shorter than expected");
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (spill != null) {
            spill.close();
        }
        Files.deleteIfExists(spillPath);
    }

    /** The pages of a whole database file (a new generation's restore), to replace the output with. */
    static FollowedDb.PageSource wholeFile(FileChannel db, int pageSize) throws IOException {
        int n = (int) (db.size() / pageSize);
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i + 1;
        }
        return new FollowedDb.PageSource() {
            @Override
            public int pages() {
                return n;
            }

            @Override
            public int[] pageNumbers() {
                return all;
            }

            @Override
            public void read(int pgno, ByteBuffer dst) throws IOException {
                long at = (long) (pgno - 1) * pageSize;
                int start = dst.position();
                while (dst.hasRemaining()) {
                    if (db.read(dst, at + dst.position() - start) < 0) {
                        throw new IOException("restored file ends before page " + pgno);
                    }
                }
            }
        };
    }
}
