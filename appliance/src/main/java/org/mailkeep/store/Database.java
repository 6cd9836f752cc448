package org.mailkeep.store;

import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The SQLite database: WAL journal, one writer at a time, a few reader connections.
 * {@code synchronous=FULL} makes every committed write transaction durable before {@link #write} returns,
 * which is what "250 OK means on disk" rests on.
 */
@ApplicationScoped
@Startup
public class Database {

    private static final Logger LOG = Logger.getLogger(Database.class);
    private static final int READERS = 4;

    /** Work done inside a transaction or with a reader connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final String url;
    private final List<Schema> schemas;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Connection writer;
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);

    @jakarta.inject.Inject
    public Database(DataDirectory dataDirectory, Instance<Schema> schemas) {
        this(dataDirectory, schemas.stream().toList(), Integer.MAX_VALUE);
    }

    /** Opens the database and migrates each schema up to {@code maxVersion} (tests use a low one to build old databases). */
    public Database(DataDirectory dataDirectory, List<Schema> schemas, int maxVersion) {
        this.url = "jdbc:sqlite:" + dataDirectory.database();
        this.schemas = List.copyOf(schemas);
        try {
            writer = open();
            migrate(schemas, maxVersion);
            for (int i = 0; i < READERS; i++) {
                readers.add(open());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open database " + dataDirectory.database() + ": " + e.getMessage(), e);
        }
    }

    private Connection open() throws SQLException {
        Properties props = new Properties();
        props.setProperty("journal_mode", "WAL");
        props.setProperty("synchronous", "FULL");
        props.setProperty("foreign_keys", "true");
        props.setProperty("busy_timeout", "10000");
        // The driver directly, not DriverManager: DriverManager only hands out drivers visible to the caller's
        // class loader, and Quarkus (tests, dev mode) gives every application start a class loader of its own.
        Connection connection = org.sqlite.JDBC.createConnection(url, props);
        try (Statement st = connection.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("PRAGMA synchronous=FULL");
            st.execute("PRAGMA foreign_keys=ON");
            st.execute("PRAGMA busy_timeout=10000");
        }
        return connection;
    }

    private void migrate(List<Schema> schemas, int maxVersion) throws SQLException {
        write(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS schema_version (feature TEXT PRIMARY KEY, version INTEGER NOT NULL)");
            }
            return null;
        });
        List<Schema> ordered = new ArrayList<>(schemas);
        ordered.sort(Comparator.comparingInt(Schema::order).thenComparing(Schema::feature));
        for (Schema schema : ordered) {
            int current = write(c -> currentVersion(c, schema.feature()));
            List<String> migrations = schema.migrations();
            int target = Math.min(maxVersion, migrations.size());
            if (current > migrations.size()) {
                throw new IllegalStateException("database schema of " + schema.feature() + " is version " + current
                        + ", newer than this release knows (" + migrations.size() + "): refusing to run an older release on it");
            }
            for (int version = current; version < target; version++) {
                String sql = migrations.get(version);
                int next = version + 1;
                write(c -> {
                    try (Statement st = c.createStatement()) {
                        for (String statement : statements(sql)) {
                            st.execute(statement);
                        }
                    }
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO schema_version(feature, version) VALUES(?, ?) ON CONFLICT(feature) DO UPDATE SET version = excluded.version")) {
                        ps.setString(1, schema.feature());
                        ps.setInt(2, next);
                        ps.executeUpdate();
                    }
                    return null;
                });
                LOG.infof("database: %s schema migrated to version %d", schema.feature(), next);
            }
        }
    }

    /** A migration's statements: split at ';', except inside a CREATE TRIGGER, whose body's statements run up to its END. */
    static List<String> statements(String sql) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String part : sql.split(";")) {
            current.append(part);
            String text = current.toString().strip();
            String upper = text.toUpperCase(java.util.Locale.ROOT);
            if (upper.startsWith("CREATE TRIGGER") && !upper.endsWith("END")) {
                current.append(';');
                continue;
            }
            if (!text.isEmpty()) {
                result.add(text);
            }
            current.setLength(0);
        }
        return result;
    }

    private static int currentVersion(Connection c, String feature) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM schema_version WHERE feature = ?")) {
            ps.setString(1, feature);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    /** Runs {@code work} in one write transaction; it is durable on disk when this returns. */
    public <T> T write(Work<T> work) {
        return write(work, true);
    }

    /**
     * Runs {@code work} in one write transaction; with {@code durable} false the commit does not wait for an fsync
     * ({@code synchronous=NORMAL} in WAL mode): a power cut may lose it (and only it and other non-durable commits
     * after the last durable one), never the database's consistency. For changes a client can redo, like IMAP flag
     * changes: Dovecot's default {@code fsync_mode=optimized} makes the same choice, syncing mail but not flags.
     */
    public <T> T write(Work<T> work, boolean durable) {
        writeLock.lock();
        try {
            if (!durable) {
                try (Statement st = writer.createStatement()) {
                    st.execute("PRAGMA synchronous=NORMAL");
                }
            }
            try {
                return transaction(work);
            } finally {
                if (!durable) {
                    try (Statement st = writer.createStatement()) {
                        st.execute("PRAGMA synchronous=FULL");
                    }
                }
            }
        } catch (SQLException e) {
            throw new StoreException("database write failed: " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
    }

    private <T> T transaction(Work<T> work) throws SQLException {
        writer.setAutoCommit(false);
        try {
            T result = work.run(writer);
            writer.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            writer.rollback();
            throw e;
        } finally {
            writer.setAutoCommit(true);
        }
    }

    /** Runs {@code work} with a reader connection (a consistent snapshot while it runs a single statement). */
    public <T> T read(Work<T> work) {
        Connection connection;
        try {
            connection = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for a database connection", e);
        }
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw new StoreException("database read failed: " + e.getMessage(), e);
        } finally {
            readers.add(connection);
        }
    }

    /**
     * Replaces the whole database with the SQLite file {@code source} (SQLite's online backup API in reverse,
     * through the writer connection, so readers see either the old or the new database), then migrates it
     * to this release's schema: a backup made by an older release restores into a current one.
     */
    public void restoreFrom(java.nio.file.Path source) {
        writeLock.lock();
        try (Statement st = writer.createStatement()) {
            st.executeUpdate("restore from " + source.toAbsolutePath());
        } catch (SQLException e) {
            throw new StoreException("cannot restore database from " + source + ": " + e.getMessage(), e);
        } finally {
            writeLock.unlock();
        }
        try {
            migrate(schemas, Integer.MAX_VALUE);
        } catch (SQLException e) {
            throw new StoreException("cannot migrate restored database: " + e.getMessage(), e);
        }
    }

    /** The schema versions in force, by feature (for /api/status and the upgrade test). */
    public java.util.Map<String, Integer> schemaVersions() {
        return read(c -> {
            java.util.Map<String, Integer> versions = new java.util.TreeMap<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT feature, version FROM schema_version")) {
                while (rs.next()) {
                    versions.put(rs.getString(1), rs.getInt(2));
                }
            }
            return versions;
        });
    }

    @PreDestroy
    public void close() {
        List<Connection> all = new ArrayList<>(readers);
        all.add(writer);
        for (Connection c : all) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.warn("closing database connection: " + e.getMessage());
            }
        }
    }
}
