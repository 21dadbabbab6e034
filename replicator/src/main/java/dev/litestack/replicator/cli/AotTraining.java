package dev.litestack.replicator.cli;

import java.io.PrintWriter;
import java.util.Arrays;

/**
 * The entry point of the run that records the AOT cache (bin/train-aot, the image build):
 * {@code AotTraining FIRST-COMMAND... -- COMMAND...} runs {@code replicator FIRST-COMMAND...}
 * to its end and then {@code replicator COMMAND...} as the process, in one JVM.
 *
 * <p>A cache holds what its one training JVM loaded and linked. The container's start is
 * {@code replicate}, but an operator's disaster recovery is {@code replicator restore}: its command
 * class, its options' bindings and the listing of a replica by database path would otherwise be
 * loaded from the jar (opened for them alone) and linked on every such start. Training
 * {@code restore} first and then {@code replicate} puts both in the cache. The cache stays valid for
 * {@code -jar replicator.jar}: the class path is the same jar.
 */
public final class AotTraining {

    private AotTraining() {}

    public static void main(String[] args) {
        int split = Arrays.asList(args).indexOf("--");
        if (split <= 0 || split == args.length - 1) {
            System.err.println("usage: AotTraining FIRST-COMMAND [ARGS...] -- COMMAND [ARGS...]");
            System.exit(2);
        }
        String[] first = Arrays.copyOfRange(args, 0, split);
        String[] then = Arrays.copyOfRange(args, split + 1, args.length);
        Main.prepare(first);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = Main.run(first, new PrintWriter(System.out, true), err);
        if (code != 0) {
            err.println("AOT training: replicator " + String.join(" ", first) + " exited with " + code);
            System.exit(code);
        }
        Main.main(then);
    }
}
