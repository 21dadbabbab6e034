package dev.litestack.replicator.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An {@code -exec} child for black-box tests: inserts rows (one transaction each) into the
 * database until it receives SIGTERM, then writes the last committed id to a file and exits 0.
 *
 * <p>Arguments: {@code DB_PATH READY_FILE LAST_ID_FILE}. READY_FILE appears once 50 rows are committed.
 */
public final class WriterChild {

    private WriterChild() {}

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        Path ready = Path.of(args[1]);
        Path last = Path.of(args[2]);
        AtomicBoolean stop = new AtomicBoolean();
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> stop.set(true));
        int next = 0;
        try (AppDb app = new AppDb(db)) {
            while (!stop.get()) {
                app.insert(next, next + 1);
                next++;
                if (next == 50) {
                    Files.writeString(ready, "ready\n");
                }
            }
        }
        Path tmp = Path.of(last + ".tmp");
        Files.writeString(tmp, Integer.toString(next - 1));
        Files.move(tmp, last);
        System.out.println("writer stopped after id " + (next - 1));
    }
}
