package dev.litestack.system;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The container played on this machine, without Docker: {@code java -jar replicator.jar replicate
 * -config litestream.yml -exec "java -jar todo-app.jar"} with the image's environment.
 */
final class JarContainer extends Container {

    private JarContainer(Process process, long startedNanos) {
        super(process, startedNanos);
    }

    static JarContainer boot(Path replicatorJar, Path appJar, Path config, Map<String, String> env) throws IOException {
        return boot(replicatorJar, appJar, config, env, List.of(), List.of());
    }

    /** Boots with extra JVM options for the replicator and for the app (e.g. class-data sharing archives). */
    static JarContainer boot(
            Path replicatorJar,
            Path appJar,
            Path config,
            Map<String, String> env,
            List<String> replicatorJvm,
            List<String> appJvm)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String exec = java + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m " + String.join(" ", appJvm) + " -jar "
                + appJar;
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m"));
        cmd.addAll(replicatorJvm);
        cmd.addAll(List.of("-jar", replicatorJar.toString(), "replicate", "-config", config.toString(), "-exec", exec));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        return new JarContainer(pb.start(), t0);
    }

    @Override
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            throw new AssertionError("container did not stop within 90 s:\n" + output());
        }
        return process.exitValue();
    }

    @Override
    void kill() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(30, TimeUnit.SECONDS);
        for (ProcessHandle c : children) {
            c.onExit().join();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
