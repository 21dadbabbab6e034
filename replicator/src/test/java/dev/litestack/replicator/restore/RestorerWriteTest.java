package dev.litestack.replicator.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** A write that fails while the snapshot is copied out names the output, not the replica. */
class RestorerWriteTest {

    @Test
    @EnabledOnOs(OS.LINUX)
    void aFullDiskIsReportedAsAWriteOfTheRestoredDatabase() throws Exception {
        // /dev/full: every write fails with ENOSPC, as on a full disk
        try (FileChannel full = FileChannel.open(Path.of("/dev/full"), StandardOpenOption.WRITE)) {
            RestoreException e = assertThrows(
                    RestoreException.class, () -> Restorer.copy(new ByteArrayInputStream(new byte[4096]), full));
            assertEquals("cannot write the restored database: No space left on device", e.getMessage());
        }
    }
}
