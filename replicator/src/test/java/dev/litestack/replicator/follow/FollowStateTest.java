package dev.litestack.replicator.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged follow position is an error naming the file, whatever the damage. */
class FollowStateTest {

    @TempDir
    Path dir;

    @Test
    void aPositionFileThatIsNotTextIsNamedAsDamaged() throws Exception {
        Path file = dir.resolve("app.db.follow");
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0xc3, 0x28});
        IOException e = assertThrows(IOException.class, () -> FollowState.read(file));
        assertEquals(
                "damaged follow position " + file + " (not text); delete the output and this file to restore afresh",
                e.getMessage());
    }

    @Test
    void aPositionFileWithoutItsFieldsNamesTheMissingOne() throws Exception {
        Path file = dir.resolve("app.db.follow");
        Files.writeString(file, "replica=file\n");
        IOException e = assertThrows(IOException.class, () -> FollowState.read(file));
        assertEquals(
                "damaged follow position " + file + " (missing generation); delete the output and this file to"
                        + " restore afresh",
                e.getMessage());
    }
}
