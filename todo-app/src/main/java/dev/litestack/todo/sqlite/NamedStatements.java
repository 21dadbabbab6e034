package dev.litestack.todo.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SQL kept in a resource file as named statements, litestack style:
 * <pre>
 * -- name: claim
 * UPDATE jobs SET ... RETURNING ...;
 * </pre>
 * Lines before the first marker and lines that are only comments are ignored; a trailing ';' is dropped.
 */
final class NamedStatements {

    private static final String MARKER = "-- name:";

    private final String resource;
    private final Map<String, String> statements;

    private NamedStatements(String resource, Map<String, String> statements) {
        this.resource = resource;
        this.statements = Collections.unmodifiableMap(statements);
    }

    /** Loads {@code resource} from the class path; a missing resource yields no statements. */
    public static NamedStatements load(String resource) {
        ClassLoader loader = NamedStatements.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                return new NamedStatements(resource, new LinkedHashMap<>());
            }
            return parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new SqliteStoreException("cannot read SQL resource " + resource, e);
        }
    }

    static NamedStatements parse(String resource, String text) {
        Map<String, String> result = new LinkedHashMap<>();
        String name = null;
        StringBuilder sql = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith(MARKER)) {
                put(resource, result, name, sql);
                name = trimmed.substring(MARKER.length()).strip();
                if (name.isEmpty()) {
                    throw new SqliteStoreException("empty statement name in " + resource);
                }
                sql.setLength(0);
            } else if (name != null && !trimmed.startsWith("--") && !trimmed.isEmpty()) {
                sql.append(trimmed).append('\n');
            }
        }
        put(resource, result, name, sql);
        return new NamedStatements(resource, result);
    }

    private static void put(String resource, Map<String, String> into, String name, StringBuilder sql) {
        if (name == null) {
            return;
        }
        String text = sql.toString().strip();
        if (text.endsWith(";")) {
            text = text.substring(0, text.length() - 1).strip();
        }
        if (text.isEmpty()) {
            throw new SqliteStoreException("statement '" + name + "' in " + resource + " has no SQL");
        }
        if (into.put(name, text) != null) {
            throw new SqliteStoreException("statement '" + name + "' appears twice in " + resource);
        }
    }

    public String get(String name) {
        String sql = statements.get(name);
        if (sql == null) {
            throw new SqliteStoreException(
                    "no statement named '" + name + "' in " + resource + " (known: " + statements.keySet() + ")");
        }
        return sql;
    }

    public Map<String, String> all() {
        return statements;
    }
}
