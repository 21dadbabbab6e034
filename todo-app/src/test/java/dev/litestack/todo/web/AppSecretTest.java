package dev.litestack.todo.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signing secret: required in production, generated once and kept elsewhere, never too short. */
class AppSecretTest {

    @TempDir
    Path dir;

    @Test
    void productionRefusesToStartWithoutASecret() {
        Exception e = assertThrows(
                Exception.class,
                () -> ApplicationContext.run(Map.of("app.data-dir", dir.toString()), "prod")
                        .close());
        assertTrue(rootMessage(e).contains("app.secret (env APP_SECRET) is required in production"), rootMessage(e));
    }

    @Test
    void aTooShortSecretIsRefused() {
        Exception e = assertThrows(
                Exception.class,
                () -> ApplicationContext.run(Map.of("app.data-dir", dir.toString(), "app.secret", "short"), "prod")
                        .close());
        assertTrue(rootMessage(e).contains("app.secret must be at least 32 characters"), rootMessage(e));
    }

    @Test
    void elsewhereAGeneratedSecretIsKeptSoRestartsKeepSessions() throws Exception {
        String first;
        try (ApplicationContext ctx =
                ApplicationContext.run(Map.of("app.data-dir", dir.toString(), "app.data-dir-temporary", false))) {
            first = ctx.getBean(Signer.class).sign("session", "user");
        }
        assertTrue(Files.exists(dir.resolve("secret.key")));
        try (ApplicationContext ctx =
                ApplicationContext.run(Map.of("app.data-dir", dir.toString(), "app.data-dir-temporary", false))) {
            assertEquals(first, ctx.getBean(Signer.class).sign("session", "user"));
        }
    }

    private static String rootMessage(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
