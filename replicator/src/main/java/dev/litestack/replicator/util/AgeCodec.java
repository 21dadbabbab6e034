package dev.litestack.replicator.util;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.stream.StandardDecryptingChannelFactory;
import com.exceptionfactory.jagged.framework.stream.StandardEncryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * age encryption (X25519 recipients) of replica objects, as Litestream 0.3.13 does it: the LZ4
 * frame is encrypted to every recipient when written, and decrypted with the first matching
 * identity when read. Identities and recipients are given as Litestream reads them: each config
 * string is the text of an identity (or recipients) file, one key per line, {@code #} comments
 * and blank lines ignored.
 */
public final class AgeCodec {

    /** The first bytes of every age file (the binary, not armored, format). */
    private static final byte[] MAGIC = "age-encryption.org/".getBytes(StandardCharsets.US_ASCII);

    private final List<RecipientStanzaReader> identities;
    private final List<RecipientStanzaWriter> recipients;

    private AgeCodec(List<RecipientStanzaReader> identities, List<RecipientStanzaWriter> recipients) {
        this.identities = identities;
        this.recipients = recipients;
    }

    /**
     * Parses identity and recipient file texts. Throws {@link IllegalArgumentException} naming
     * which entry and line is wrong, never echoing a key.
     */
    public static AgeCodec of(List<String> identityTexts, List<String> recipientTexts) {
        return new AgeCodec(
                parse(
                        identityTexts,
                        "identities",
                        X25519RecipientStanzaReaderFactory::newRecipientStanzaReader,
                        "is not an age X25519 identity (want AGE-SECRET-KEY-1..., as age-keygen prints it)"),
                parse(
                        recipientTexts,
                        "recipients",
                        X25519RecipientStanzaWriterFactory::newRecipientStanzaWriter,
                        "is not an age X25519 recipient (want age1..., the public key age-keygen prints)"));
    }

    private interface KeyParser<T> {
        T parse(String key) throws GeneralSecurityException;
    }

    private static <T> List<T> parse(List<String> texts, String what, KeyParser<T> parser, String problem) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            for (Line l : lines(texts.get(i), what + "[" + i + "]")) {
                try {
                    out.add(parser.parse(l.text()));
                } catch (GeneralSecurityException | RuntimeException e) {
                    throw new IllegalArgumentException(l.where() + " " + problem);
                }
            }
        }
        return List.copyOf(out);
    }

    private record Line(String text, String where) {}

    private static List<Line> lines(String text, String where) {
        List<Line> out = new ArrayList<>();
        String[] ls = text.split("\n", -1);
        for (int n = 0; n < ls.length; n++) {
            String l = ls[n].strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                out.add(new Line(l, ls.length == 1 ? where : where + " line " + (n + 1)));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(where + " holds no key");
        }
        return out;
    }

    public boolean canEncrypt() {
        return !recipients.isEmpty();
    }

    boolean canDecrypt() {
        return !identities.isEmpty();
    }

    /** The age encryption of {@code plain}, pulled as it is read (memory bounded by a few 64 KiB chunks). */
    public InputStream encrypt(InputStream plain) throws IOException {
        if (recipients.isEmpty()) {
            throw new IllegalStateException("no age recipients");
        }
        return new EncodingInputStream(plain, out -> {
            try {
                return Channels.newOutputStream(new StandardEncryptingChannelFactory()
                        .newEncryptingChannel(Channels.newChannel(out), recipients));
            } catch (GeneralSecurityException e) {
                throw new IOException("age encryption failed: " + Log.describe(e), e);
            }
        });
    }

    /** Decrypts a whole stored object; {@code name} names it in errors. */
    public InputStream decrypt(InputStream stored, String name) throws IOException {
        if (identities.isEmpty()) {
            throw new IOException("cannot read " + name + ": age recipients are set but no age identities "
                    + "(the private keys are needed to read the replica)");
        }
        BufferedInputStream in = new BufferedInputStream(stored, 64 * 1024);
        if (!startsWithMagic(in)) {
            throw new IOException(name + " is not age-encrypted: the replica was written without age "
                    + "(remove the age block of this replica to read it)");
        }
        try {
            return Channels.newInputStream(
                    new StandardDecryptingChannelFactory().newDecryptingChannel(Channels.newChannel(in), identities));
        } catch (GeneralSecurityException e) {
            throw new IOException(
                    "cannot decrypt " + name + ": none of the age identities matches its recipients " + "(wrong key?)",
                    e);
        }
    }

    /**
     * For a replica without age: {@code stored} itself, or a clear error when the object is
     * age-encrypted (instead of an LZ4 error further on).
     */
    public static InputStream refuseEncrypted(InputStream stored, String name) throws IOException {
        BufferedInputStream in = new BufferedInputStream(stored, 64 * 1024);
        if (startsWithMagic(in)) {
            throw new IOException(name + " is age-encrypted: give this replica age identities to read it");
        }
        return in;
    }

    private static boolean startsWithMagic(BufferedInputStream in) throws IOException {
        in.mark(MAGIC.length);
        byte[] head = in.readNBytes(MAGIC.length);
        in.reset();
        return Arrays.equals(head, MAGIC);
    }
}
