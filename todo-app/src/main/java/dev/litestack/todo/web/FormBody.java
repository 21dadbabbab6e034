package dev.litestack.todo.web;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An {@code application/x-www-form-urlencoded} body, parsed strictly from its bytes: UTF-8 only (a declared charset
 * other than UTF-8 is refused, not guessed), every {@code %} followed by two hex digits, the decoded bytes valid
 * UTF-8, and every field at most once. Malformed encoding is {@link Malformed} (400); a foreign charset or a
 * repeated field is {@link Refused} (422), each with a message naming what was wrong.
 */
public final class FormBody {

    /** A body that is not valid urlencoded UTF-8 (answered with 400). */
    public static final class Malformed extends RuntimeException implements PlainErrorResponses.PublicMessage {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** A well-formed body the app does not take: a foreign charset or a repeated field (answered with 422). */
    public static final class Refused extends RuntimeException implements PlainErrorResponses.PublicMessage {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private final Map<String, String> fields;

    private FormBody(Map<String, String> fields) {
        this.fields = Collections.unmodifiableMap(fields);
    }

    /** Parses {@code body} (null or empty: no fields) sent with {@code contentType}. */
    public static FormBody parse(@Nullable byte[] body, @Nullable MediaType contentType) {
        String charset = contentType == null
                ? null
                : contentType.getParameters().get("charset").orElse(null);
        if (charset != null && !isUtf8(charset)) {
            throw new Refused("form bodies must be UTF-8, not charset=" + shorten(charset));
        }
        Map<String, String> fields = new LinkedHashMap<>();
        if (body == null) {
            return new FormBody(fields);
        }
        int start = 0;
        while (start <= body.length) {
            int end = indexOf(body, (byte) '&', start);
            if (end > start) {
                int eq = indexOf(body, (byte) '=', start);
                int nameEnd = Math.min(eq, end);
                String name = decode(body, start, nameEnd);
                String value = eq < end ? decode(body, eq + 1, end) : "";
                if (fields.putIfAbsent(name, value) != null) {
                    throw new Refused("field " + shorten(name) + " given more than once");
                }
            }
            start = end + 1;
        }
        return new FormBody(fields);
    }

    private static boolean isUtf8(String charset) {
        String name = charset.strip().toLowerCase(Locale.ROOT);
        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
            name = name.substring(1, name.length() - 1);
        }
        return name.equals("utf-8") || name.equals("utf8");
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return bytes.length;
    }

    private static String decode(byte[] body, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            byte b = body[i];
            if (b == '+') {
                out.write(' ');
            } else if (b == '%') {
                int hi = i + 2 < to ? Character.digit(body[i + 1], 16) : -1;
                int lo = hi >= 0 ? Character.digit(body[i + 2], 16) : -1;
                if (lo < 0) {
                    throw new Malformed(
                            "malformed percent-encoding in the form body: '%' must be followed by two hex digits");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(b);
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Malformed("the form body is not valid UTF-8");
        }
    }

    private static String shorten(String text) {
        String printable = text.codePoints()
                .filter(c -> c >= 0x20 && c < 0x7f)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
        return printable.length() > 40 ? printable.substring(0, 40) + "…" : printable;
    }

    /** The value of field {@code name}, or null if it was not sent. */
    @Nullable
    public String get(String name) {
        return fields.get(name);
    }
}
