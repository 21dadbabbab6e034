package dev.litestack.replicator.replica.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What sits in a file replica's lease folder is read only if it can be a lease. */
class FileLeaseStoreTest {

    @TempDir
    Path dir;

    private Path latestLease() throws IOException {
        Path leases = Files.createDirectories(dir.resolve("lease"));
        return leases.resolve("0000000000000001");
    }

    private String refusal() {
        FileLeaseStore store = new FileLeaseStore(dir);
        IOException e = assertTimeoutPreemptively(
                Duration.ofSeconds(10), () -> assertThrows(IOException.class, store::read), "read returns at once");
        return e.getMessage();
    }

    @Test
    void aFifoIsRefusedWithoutBlocking() throws Exception {
        Path fifo = latestLease();
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, p.waitFor());
        String message = refusal();
        assertTrue(message.equals("lease " + fifo + " is not a regular file"), message);
    }

    @Test
    void aLinkToAnEndlessDeviceIsRefused() throws Exception {
        Path link = latestLease();
        Files.createSymbolicLink(link, Path.of("/dev/zero"));
        assertEquals("lease " + link + " is not a regular file", refusal());
    }

    @Test
    void aHugeFileIsRefusedUnread() throws Exception {
        Path big = latestLease();
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(1L << 30); // sparse: a gigabyte the heap could not hold
        }
        assertEquals("lease " + big + " is " + (1L << 30) + " bytes, not a lease (at most 65536)", refusal());
    }
}
