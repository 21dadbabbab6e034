package dev.litestack.replicator.testing;

import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import java.security.GeneralSecurityException;
import java.security.KeyPair;

/**
 * An age X25519 key pair made with jagged, in the text forms age-keygen prints
 * ({@code AGE-SECRET-KEY-1...} and {@code age1...}); {@code age-keygen -y} derives the same
 * recipient from the identity, and Litestream 0.3.13 (filippo.io/age) reads both.
 */
public record AgeKeys(String identity, String recipient) {

    public static AgeKeys generate() {
        try {
            KeyPair kp = new X25519KeyPairGenerator().generateKeyPair();
            return new AgeKeys(kp.getPrivate().toString(), kp.getPublic().toString());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
