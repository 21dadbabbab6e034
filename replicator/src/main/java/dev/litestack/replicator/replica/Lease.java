package dev.litestack.replicator.replica;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The lease object of a replica: who may write it ({@code holder}, a random id per process,
 * with its {@code host} and {@code pid}) and until when. Stored as {@code key=value} lines; a
 * {@code released} lease (written at clean shutdown) is free at once.
 */
public record Lease(String holder, String host, long pid, Instant expires, boolean released) {

    /** True if no one holds it at {@code now}: expired or released. */
    public boolean freeAt(Instant now) {
        return released || !now.isBefore(expires);
    }

    public byte[] encode() {
        String s = "holder=" + holder + "\nhost=" + host + "\npid=" + pid + "\nexpires=" + expires + "\nreleased="
                + released + "\n";
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Parses a stored lease; an unreadable one is treated as expired long ago (anyone may take it). */
    public static Lease decode(byte[] bytes) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        Instant expires;
        long pid;
        try {
            expires = Instant.parse(m.getOrDefault("expires", ""));
            pid = Long.parseLong(m.getOrDefault("pid", "0"));
        } catch (DateTimeParseException | NumberFormatException e) {
            expires = Instant.EPOCH;
            pid = 0;
        }
        return new Lease(
                m.getOrDefault("holder", "?"),
                m.getOrDefault("host", "?"),
                pid,
                expires,
                Boolean.parseBoolean(m.get("released")));
    }

    /** For logs: {@code holder 1a2b... on host web-1 (pid 42) until 2026-...}. */
    String who() {
        return "holder " + holder + " on host " + host + " (pid " + pid + ")";
    }
}
