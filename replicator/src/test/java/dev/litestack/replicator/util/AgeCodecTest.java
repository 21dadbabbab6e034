package dev.litestack.replicator.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.litestack.replicator.testing.AgeKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** age encryption of replica objects: round trips, key files, and the errors for wrong or missing keys. */
class AgeCodecTest {

    private final AgeKeys a = AgeKeys.generate();
    private final AgeKeys b = AgeKeys.generate();

    private static byte[] random(int n, long seed) {
        byte[] d = new byte[n];
        new Random(seed).nextBytes(d);
        return d;
    }

    private static byte[] lz4(byte[] raw) throws IOException {
        try (InputStream in = new CompressingInputStream(new ByteArrayInputStream(raw))) {
            return in.readAllBytes();
        }
    }

    @Test
    void roundTripsLargeBodiesToEveryRecipient() throws Exception {
        byte[] body = lz4(random(700_000, 1)); // several 64 KiB age chunks and 256 KiB pull chunks
        AgeCodec writer = AgeCodec.of(List.of(), List.of(a.recipient(), b.recipient()));
        byte[] stored;
        try (InputStream in = writer.encrypt(new ByteArrayInputStream(body))) {
            stored = in.readAllBytes();
        }
        assertTrue(new String(stored, 0, 22, StandardCharsets.US_ASCII).equals("age-encryption.org/v1\n"));
        for (AgeKeys k : List.of(a, b)) {
            AgeCodec reader = AgeCodec.of(List.of(k.identity()), List.of());
            try (InputStream in = Lz4.decompress(reader.decrypt(new ByteArrayInputStream(stored), "obj"))) {
                assertArrayEquals(random(700_000, 1), in.readAllBytes());
            }
        }
    }

    @Test
    void emptyBodyRoundTrips() throws Exception {
        AgeCodec c = AgeCodec.of(List.of(a.identity()), List.of(a.recipient()));
        byte[] stored = c.encrypt(new ByteArrayInputStream(new byte[0])).readAllBytes();
        assertEquals(0, c.decrypt(new ByteArrayInputStream(stored), "obj").readAllBytes().length);
    }

    @Test
    void identityFilesWithCommentsAndSeveralKeys() throws Exception {
        String file = "# created: 2026-01-01T00:00:00Z\n# public key: " + b.recipient() + "\n" + b.identity() + "\n\n"
                + a.identity() + "\n";
        AgeCodec reader = AgeCodec.of(List.of(file), List.of());
        byte[] stored = AgeCodec.of(List.of(), List.of("# the key\n" + a.recipient()))
                .encrypt(new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)))
                .readAllBytes();
        assertEquals(
                "hello",
                new String(
                        reader.decrypt(new ByteArrayInputStream(stored), "obj").readAllBytes(),
                        StandardCharsets.UTF_8));
    }

    @Test
    void wrongIdentityIsAClearError() throws Exception {
        byte[] stored = AgeCodec.of(List.of(), List.of(a.recipient()))
                .encrypt(new ByteArrayInputStream(random(1000, 2)))
                .readAllBytes();
        IOException e = assertThrows(
                IOException.class,
                () -> AgeCodec.of(List.of(b.identity()), List.of())
                        .decrypt(new ByteArrayInputStream(stored), "gen/wal/00000001_00000000.wal.lz4")
                        .readAllBytes());
        assertEquals(
                "cannot decrypt gen/wal/00000001_00000000.wal.lz4: none of the age identities matches its "
                        + "recipients (wrong key?)",
                e.getMessage());
        IOException missing = assertThrows(
                IOException.class, () -> AgeCodec.refuseEncrypted(new ByteArrayInputStream(stored), "x.lz4"));
        assertEquals("x.lz4 is age-encrypted: give this replica age identities to read it", missing.getMessage());
    }

    @Test
    void tamperedBodyFailsInsteadOfReturningShortData() throws Exception {
        byte[] stored = AgeCodec.of(List.of(), List.of(a.recipient()))
                .encrypt(new ByteArrayInputStream(random(200_000, 3)))
                .readAllBytes();
        stored[stored.length - 100] ^= 1;
        AgeCodec reader = AgeCodec.of(List.of(a.identity()), List.of());
        assertThrows(
                IOException.class,
                () -> reader.decrypt(new ByteArrayInputStream(stored), "obj").readAllBytes());
        byte[] cut = java.util.Arrays.copyOf(stored, stored.length - 70_000);
        assertThrows(
                IOException.class,
                () -> reader.decrypt(new ByteArrayInputStream(cut), "obj").readAllBytes());
    }

    @Test
    void plainObjectsPassWithoutAgeAndAreRefusedWithIt() throws Exception {
        byte[] plain = lz4(random(100, 4));
        assertArrayEquals(
                plain,
                AgeCodec.refuseEncrypted(new ByteArrayInputStream(plain), "p").readAllBytes());
        IOException e = assertThrows(
                IOException.class,
                () -> AgeCodec.of(List.of(a.identity()), List.of()).decrypt(new ByteArrayInputStream(plain), "p.lz4"));
        assertEquals(
                "p.lz4 is not age-encrypted: the replica was written without age (remove the age block of "
                        + "this replica to read it)",
                e.getMessage());
    }

    @Test
    void badKeysAreNamedButNeverEchoed() {
        String secretish = "AGE-SECRET-KEY-1NOTAREALKEY";
        IllegalArgumentException id = assertThrows(
                IllegalArgumentException.class, () -> AgeCodec.of(List.of("# comment\n" + secretish), List.of()));
        assertEquals(
                "identities[0] line 2 is not an age X25519 identity (want AGE-SECRET-KEY-1..., as age-keygen "
                        + "prints it)",
                id.getMessage());
        assertFalse(id.getMessage().contains("NOTAREALKEY"));
        IllegalArgumentException rec = assertThrows(
                IllegalArgumentException.class, () -> AgeCodec.of(List.of(), List.of(a.recipient(), a.identity())));
        assertEquals(
                "recipients[1] is not an age X25519 recipient (want age1..., the public key age-keygen prints)",
                rec.getMessage());
        IllegalArgumentException empty =
                assertThrows(IllegalArgumentException.class, () -> AgeCodec.of(List.of(""), List.of()));
        assertEquals("identities[0] holds no key", empty.getMessage());
    }
}
