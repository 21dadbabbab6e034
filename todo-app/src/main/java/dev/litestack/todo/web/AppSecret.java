package dev.litestack.todo.web;

import dev.litestack.todo.sqlite.DataDirectory;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.env.Environment;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.annotation.Nullable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key behind every signature (session cookie, CSRF token, stream name): {@code app.secret}, env
 * {@code APP_SECRET}, at least 32 characters. Required in production; elsewhere a random secret is generated once
 * and kept in {@code <data-dir>/secret.key} so that restarts keep sessions. Checked when the application starts.
 */
@Context
final class AppSecret {

    static final int MIN_LENGTH = 32;
    private static final Logger LOG = LoggerFactory.getLogger(AppSecret.class);
    private static final String FILE = "secret.key";

    private final byte[] key;

    public AppSecret(
            @Value("${app.secret:}") @Nullable String configured, Environment environment, DataDirectory dataDir) {
        String secret = configured == null ? "" : configured.strip();
        if (secret.isEmpty()) {
            if (environment.getActiveNames().contains("prod")) {
                throw new ConfigurationException("app.secret (env APP_SECRET) is required in production: set it to "
                        + "at least " + MIN_LENGTH + " random characters, e.g. `openssl rand -base64 48`");
            }
            secret = loadOrCreate(dataDir.path().resolve(FILE));
        }
        if (secret.length() < MIN_LENGTH) {
            throw new ConfigurationException(
                    "app.secret must be at least " + MIN_LENGTH + " characters, got " + secret.length());
        }
        this.key = secret.getBytes(StandardCharsets.UTF_8);
    }

    byte[] key() {
        return key.clone();
    }

    private static String loadOrCreate(Path file) {
        try {
            if (Files.exists(file)) {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            }
            byte[] random = new byte[48];
            new SecureRandom().nextBytes(random);
            String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            Path tmp = Files.createTempFile(file.getParent(), FILE, ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                LOG.debug("no POSIX permissions on {}", tmp);
            }
            Files.writeString(tmp, secret, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("generated a signing secret in {} (set app.secret / APP_SECRET in production)", file);
            return secret;
        } catch (IOException e) {
            throw new ConfigurationException(
                    "app.secret is not set and " + file + " cannot be read or written: " + e.getMessage(), e);
        }
    }
}
