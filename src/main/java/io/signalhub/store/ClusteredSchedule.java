package io.signalhub.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * Quartz's clustered JDBC JobStore on the hub's shared PostgreSQL store: however many instances run,
 * each firing of the cohort schedule runs on exactly one of them, and a surviving instance takes the
 * schedule over when another leaves. Quartz's own tables are created on first use.
 */
public final class ClusteredSchedule {

    private static final String TABLES = "org/quartz/impl/jdbcjobstore/tables_postgres.sql";
    /** One instance at a time creates the tables (PostgreSQL advisory lock, transaction scoped). */
    private static final long SCHEMA_LOCK = 0x5167_4a1b;

    private ClusteredSchedule() {
    }

    /** Only a shared PostgreSQL store can coordinate instances; the embedded H2 store serves one. */
    public static boolean supports(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:postgresql:");
    }

    /**
     * The Quartz settings for the camel-quartz component. The store's connections reach Quartz as a
     * registered connection provider, so no credential passes through Quartz's properties.
     */
    public static Properties quartzProperties(HubStore store, String schedulerName) throws SQLException {
        createTables(store);
        String dataSource = "signalhub-store-" + Integer.toHexString(System.identityHashCode(store));
        DBConnectionManager.getInstance().addConnectionProvider(dataSource, new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return store.connect();
            }

            @Override
            public void shutdown() {
            }

            @Override
            public void initialize() {
            }
        });
        Properties quartz = new Properties();
        quartz.setProperty("org.quartz.scheduler.instanceName", schedulerName);
        quartz.setProperty("org.quartz.scheduler.instanceId", "AUTO");
        quartz.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        quartz.setProperty("org.quartz.threadPool.threadCount", "2");
        quartz.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        quartz.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        quartz.setProperty("org.quartz.jobStore.dataSource", dataSource);
        quartz.setProperty("org.quartz.jobStore.isClustered", "true");
        // how soon a surviving instance notices one that left (and takes over its schedule)
        quartz.setProperty("org.quartz.jobStore.clusterCheckinInterval", "5000");
        return quartz;
    }

    /** Quartz's PostgreSQL schema as Quartz ships it, made idempotent: its DROP statements are skipped. */
    static void createTables(HubStore store) throws SQLException {
        String script;
        try (InputStream in = ClusteredSchedule.class.getClassLoader().getResourceAsStream(TABLES)) {
            if (in == null) {
                throw new IllegalStateException("Quartz's schema " + TABLES + " is not on the classpath");
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("could not read Quartz's schema " + TABLES, e);
        }
        try (Connection connection = store.connect(); Statement statement = connection.createStatement();
             PreparedStatement exists = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            connection.setAutoCommit(false);
            statement.execute("SELECT pg_advisory_xact_lock(" + SCHEMA_LOCK + ")");
            for (String sql : script.replaceAll("(?m)^--.*$", "").split(";")) {
                String ddl = sql.trim();
                String upper = ddl.toUpperCase();
                if (upper.startsWith("CREATE TABLE ")) {
                    statement.execute("CREATE TABLE IF NOT EXISTS " + ddl.substring("CREATE TABLE ".length()));
                } else if (upper.startsWith("CREATE INDEX ") && !exists(exists, ddl.split("\\s+")[2])) {
                    // even CREATE INDEX IF NOT EXISTS takes a share lock on the table first, held to the commit: against
                    // another instance's running scheduler, which writes these tables, that deadlocked (ScaleOutTest)
                    statement.execute(ddl);
                }
            }
            connection.commit();
        }
    }

    private static boolean exists(PreparedStatement exists, String relation) throws SQLException {
        exists.setString(1, relation);
        try (ResultSet answer = exists.executeQuery()) {
            return answer.next() && answer.getBoolean(1);
        }
    }
}
