package dev.litestack.todo.web;

import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 signatures over {@code purpose + NUL + value}, Base64url without padding (43 characters). The purpose
 * separates the uses of the one secret: a CSRF token is never valid as a stream name or a cookie signature.
 */
@Singleton
final class Signer {

    private final SecretKeySpec key;

    public Signer(AppSecret secret) {
        this.key = new SecretKeySpec(secret.key(), "HmacSHA256");
    }

    public String sign(String purpose, String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(purpose.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            byte[] digest = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Constant-time check of {@code signature}; false for null. */
    public boolean verify(String purpose, String value, String signature) {
        if (value == null || signature == null) {
            return false;
        }
        byte[] expected = sign(purpose, value).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII));
    }
}
