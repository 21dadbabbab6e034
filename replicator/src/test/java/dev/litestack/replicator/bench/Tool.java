package dev.litestack.replicator.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One of the two replicators under test. Both take the same command lines ({@code replicate
 * -config}, {@code restore -config -o}, {@code version}) and the same litestream.yml.
 */
record Tool(String label, List<String> executable, String javaOpts) {

    static Tool ours(Path root, String javaOpts) {
        return new Tool("ours", List.of(root.resolve("bin/replicator").toString()), javaOpts);
    }

    static Tool litestream(Path binary) {
        return new Tool("litestream", List.of(binary.toString()), null);
    }

    boolean isOurs() {
        return "ours".equals(label);
    }

    List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>(executable);
        cmd.addAll(args);
        return cmd;
    }

    /** Our launcher takes its JVM flags from REPLICATOR_JAVA_OPTS when set (bin/replicator's default otherwise). */
    void environment(Map<String, String> env) {
        if (javaOpts != null && !javaOpts.isBlank()) {
            env.put("REPLICATOR_JAVA_OPTS", javaOpts);
        } else {
            env.remove("REPLICATOR_JAVA_OPTS");
        }
    }

    static List<String> replicate(Path config) {
        return List.of("replicate", "-config", config.toString());
    }

    static List<String> restore(Path config, Path db, Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("restore", "-config", config.toString(), "-o", out.toString()));
        a.addAll(List.of(extra));
        a.add(db.toString());
        return a;
    }

    @Override
    public String toString() {
        return label;
    }
}
