package dev.litestack.replicator.config;

import java.nio.file.Path;
import java.util.Map;

/** Litestream's {@code expand}: a leading {@code ~} or {@code ~/} becomes the home directory, then the path is made absolute. */
final class LocalPaths {

    private LocalPaths() {}

    /** The home directory: {@code HOME} from {@code env}, else the JVM's {@code user.home}. */
    static Path home(Map<String, String> env) {
        String home = env.get("HOME");
        return Path.of(home == null || home.isEmpty() ? System.getProperty("user.home") : home);
    }

    /** {@code ~} → home, {@code ~/x} → home/x, relative → against {@code cwd}; always normalized. */
    static Path expand(String s, Path cwd, Map<String, String> env) {
        Path p;
        if (s.equals("~")) {
            p = home(env);
        } else if (s.startsWith("~/")) {
            p = home(env).resolve(s.substring(2));
        } else {
            p = cwd.resolve(s);
        }
        return cwd.resolve(p).toAbsolutePath().normalize();
    }
}
