package dev.litestack.todo.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Versioned schema migrations tracked in {@code PRAGMA user_version}. The migrations of a concern are
 * listed, in order, in {@code db/<concern>/migrations.txt}; line n names {@code Vn__description.sql}.
 * Each pending migration runs in its own IMMEDIATE transaction together with the version bump, so a
 * crash leaves the schema at a whole version and concurrent starters apply each migration once.
 */
final class Migrator {

    private static final Pattern FILE = Pattern.compile("V(\\d+)__[A-Za-z0-9_]+\\.sql");

    record Migration(int version, String name, List<String> statements) {}

    private Migrator() {}

    static List<Migration> load(String concern) {
        String index = "db/" + concern + "/migrations.txt";
        List<Migration> result = new ArrayList<>();
        String text = read(index);
        if (text == null) {
            throw new SqliteStoreException("missing migration index " + index);
        }
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = FILE.matcher(line);
            if (!m.matches()) {
                throw new SqliteStoreException(index + ": '" + line + "' is not named V<n>__<description>.sql");
            }
            int version = Integer.parseInt(m.group(1));
            if (version != result.size() + 1) {
                throw new SqliteStoreException(
                        index + ": expected version " + (result.size() + 1) + " but found " + line);
            }
            String sql = read("db/" + concern + "/" + line);
            if (sql == null) {
                throw new SqliteStoreException(index + " lists " + line + " but it is not on the class path");
            }
            result.add(new Migration(version, line, split(sql)));
        }
        return result;
    }

    /** Splits a script on ';' at the end of a line; comment-only lines are dropped. */
    static List<String> split(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : script.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (line.endsWith(";")) {
                statements.add(current.toString().strip());
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().strip());
        }
        return statements;
    }

    /** Applies pending migrations; returns the resulting version. */
    static int migrate(SqliteStore store, String concern, List<Migration> migrations) {
        int latest = migrations.size();
        for (Migration migration : migrations) {
            store.write(session -> {
                int current = Integer.parseInt(session.pragma("PRAGMA user_version"));
                if (current >= migration.version()) {
                    return null;
                }
                for (String statement : migration.statements()) {
                    try {
                        session.execute(statement);
                    } catch (SQLException e) {
                        throw new SQLException(
                                "migration " + concern + "/" + migration.name() + " failed: " + e.getMessage(), e);
                    }
                }
                session.execute("PRAGMA user_version = " + migration.version());
                return null;
            });
        }
        int version = store.read(session -> Integer.parseInt(session.pragma("PRAGMA user_version")));
        if (version > latest) {
            throw new SqliteStoreException(store.path() + " is at schema version " + version
                    + " but this build only knows " + latest + " migrations for '" + concern + "'");
        }
        return version;
    }

    private static String read(String resource) {
        try (InputStream in = Migrator.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SqliteStoreException("cannot read " + resource, e);
        }
    }
}
