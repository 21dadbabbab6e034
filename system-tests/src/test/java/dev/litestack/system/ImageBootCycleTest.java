package dev.litestack.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * The boot cycle of the real image: builds the Dockerfile (bin/docker-image: on local stand-ins of
 * its base images where no registry is reachable), then runs each machine as a container with no
 * volume, stopped with {@code docker stop} and fly.toml's kill_timeout as the grace period. Needs
 * a Docker engine (bin/docker-engine starts one; bin/test runs it) and fails, never skips, without one.
 */
@Tag("integration")
class ImageBootCycleTest extends BootCycle {

    /** One tag per clone, so that clones testing at once on one machine do not run each other's image. */
    private static final String IMAGE = System.getProperty(
            "image.tag",
            "lite-stack-todo:test-"
                    + Integer.toHexString(
                            REPO.toAbsolutePath().normalize().toString().hashCode()));

    private static Duration killTimeout;

    @BeforeAll
    static void buildImage() throws Exception {
        try {
            ImageContainer.docker(Duration.ofSeconds(30), "info", "--format", "{{.ServerVersion}}");
        } catch (AssertionError e) {
            throw new AssertionError(
                    "the container test needs a Docker engine and none answers here. Start one with "
                            + "bin/docker-engine (as root it installs Debian's docker.io and starts dockerd; bin/test runs it). "
                            + e.getMessage(),
                    e);
        }
        killTimeout = flyKillTimeout();
        Path log = Path.of("target", "docker-image.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        long t0 = System.nanoTime();
        Process build = new ProcessBuilder(REPO.resolve("bin/docker-image").toString(), IMAGE)
                .directory(REPO.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!build.waitFor(25, TimeUnit.MINUTES)) {
            build.destroyForcibly();
            throw new AssertionError("the image build did not finish within 25 minutes; its log: " + log);
        }
        String out = Files.readString(log);
        assertEquals(0, build.exitValue(), "bin/docker-image " + IMAGE + " failed:\n" + tail(out, 60));
        System.out.println(
                "image " + IMAGE + " built in " + (System.nanoTime() - t0) / 1_000_000 + " ms (log: " + log + ")");
    }

    /** {@code kill_timeout} of fly.toml: how long Fly waits after SIGTERM before it kills the machine. */
    private static Duration flyKillTimeout() throws Exception {
        Matcher m = Pattern.compile("(?m)^kill_timeout\\s*=\\s*(\\d+)\\s*$")
                .matcher(Files.readString(REPO.resolve("fly.toml")));
        if (!m.find()) {
            throw new AssertionError("fly.toml has no kill_timeout = SECONDS line");
        }
        return Duration.ofSeconds(Long.parseLong(m.group(1)));
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    }

    @Override
    Container boot(Map<String, String> env) throws Exception {
        return ImageContainer.run(IMAGE, env, killTimeout);
    }
}
