package dev.litestack.replicator.testing;

import dev.litestack.replicator.Pos;
import dev.litestack.replicator.db.Database;
import dev.litestack.replicator.engine.ReplicationService;
import dev.litestack.replicator.replica.Replica;
import dev.litestack.replicator.replica.file.FileReplicaClient;
import dev.litestack.replicator.util.Log;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A replicator in its own process, for crash tests: replicates one database to a file replica
 * with a {@link ReplicationService} and obeys a line protocol on stdin/stdout.
 * <pre>
 * args:   DB_PATH REPLICA_DIR MIN_CHECKPOINT_PAGES
 * out:    READY                       once the first sync is done and the loops run
 * in:     sync   -> out: SYNCED pos   after ReplicationService.syncAll (or ERROR message)
 * in:     stop / end of input -> final sync, close; out: STOPPED (exit 0) or ERROR message (exit 1)
 * </pre>
 * Logs go to stderr. The test kills it with SIGKILL at random moments.
 */
public final class ReplicatorMain {

    private ReplicatorMain() {}

    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Log log = new Log(Log.Level.INFO, false, System.err);
        Path db = Path.of(args[0]);
        Database.Options d = Database.Options.defaults(db);
        Database database = new Database(
                new Database.Options(
                        d.path(),
                        d.metaPath(),
                        Duration.ofMillis(200),
                        Duration.ofSeconds(1),
                        Integer.parseInt(args[2]),
                        d.maxCheckpointPageCount()),
                Clock.systemUTC(),
                log);
        Replica replica = new Replica(
                database,
                new FileReplicaClient(Path.of(args[1])),
                new Replica.Options(
                        "file",
                        Duration.ofMillis(100),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(3),
                        Duration.ofSeconds(1)),
                Clock.systemUTC(),
                log);
        ReplicationService service = new ReplicationService(
                List.of(new ReplicationService.Entry(database, List.of(replica))), Clock.systemUTC(), log);
        service.start(Duration.ofSeconds(30));
        out.println("READY");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("stop")) {
            if (line.equals("sync")) {
                try {
                    service.syncAll(Duration.ofSeconds(30));
                    Pos pos = replica.position();
                    out.println("SYNCED " + pos);
                } catch (IOException e) {
                    out.println("ERROR " + e.getMessage());
                }
            }
        }
        try {
            service.close(Duration.ofSeconds(30));
            out.println("STOPPED");
        } catch (IOException e) {
            out.println("ERROR " + e.getMessage());
            System.exit(1);
        }
    }
}
