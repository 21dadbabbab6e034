package dev.litestack.todo.sqlite;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One SQLite connection with its prepared named statements cached. A session is used by one thread at a
 * time: {@link SqliteStore} hands it out inside {@code read} or {@code write} only.
 */
public final class Session {

    /** Maps the current row of a result set. */
    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    private final Connection connection;
    private final NamedStatements statements;
    private final Map<String, PreparedStatement> prepared = new HashMap<>();

    Session(Connection connection, NamedStatements statements) {
        this.connection = connection;
        this.statements = statements;
    }

    /** The prepared statement for a named statement, prepared once per connection. */
    public PreparedStatement statement(String name) throws SQLException {
        PreparedStatement ps = prepared.get(name);
        if (ps == null) {
            ps = connection.prepareStatement(statements.get(name));
            prepared.put(name, ps);
        }
        return ps;
    }

    /** Runs a named INSERT/UPDATE/DELETE and returns the number of changed rows. */
    public int update(String name, Object... params) throws SQLException {
        PreparedStatement ps = statement(name);
        bind(ps, params);
        return ps.executeUpdate();
    }

    /** Runs a named query (or a statement with RETURNING) and maps every row. */
    public <T> List<T> query(String name, RowMapper<T> mapper, Object... params) throws SQLException {
        PreparedStatement ps = statement(name);
        bind(ps, params);
        List<T> rows = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(mapper.map(rs));
            }
        }
        return rows;
    }

    /** Runs a named query and maps the first row, if any. */
    public <T> Optional<T> queryOne(String name, RowMapper<T> mapper, Object... params) throws SQLException {
        PreparedStatement ps = statement(name);
        bind(ps, params);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.ofNullable(mapper.map(rs)) : Optional.empty();
        }
    }

    /** Runs a named query returning one number (e.g. a count). */
    public long queryLong(String name, Object... params) throws SQLException {
        return queryOne(name, rs -> rs.getLong(1), params).orElse(0L);
    }

    /** Runs literal SQL (pragmas, migrations). */
    public void execute(String sql) throws SQLException {
        try (Statement st = connection.createStatement()) {
            st.execute(sql);
        }
    }

    /** Runs a literal query returning one value as text, e.g. a PRAGMA. */
    public String pragma(String sql) throws SQLException {
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** The raw connection, for statements that are not named. Do not close it or change auto-commit. */
    public Connection connection() {
        return connection;
    }

    static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
    }

    void close() {
        for (PreparedStatement ps : prepared.values()) {
            try {
                ps.close();
            } catch (SQLException ignored) {
                // closing the connection below releases it anyway
            }
        }
        prepared.clear();
        try {
            connection.close();
        } catch (SQLException e) {
            throw new SqliteStoreException("cannot close connection", e);
        }
    }
}
