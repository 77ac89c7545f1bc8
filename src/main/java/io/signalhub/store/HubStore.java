package io.signalhub.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The hub's small relational store, through JDBC: an embedded H2 database under the data directory by
 * default, or any JDBC URL ({@code hub.store.jdbc-url}, e.g. PostgreSQL) shared by several instances.
 * The schema is created on first use with portable DDL.
 */
public final class HubStore {

    private static final String[] SCHEMA = {
        "CREATE TABLE IF NOT EXISTS onesignal_segments ("
            + " app_id VARCHAR(64) NOT NULL, name VARCHAR(128) NOT NULL, segment_id VARCHAR(64),"
            + " created_at TIMESTAMP NOT NULL, PRIMARY KEY (app_id, name))",
    };

    private final String url;
    private final String username;
    private final String password;

    public HubStore(String url, String username, String password) throws SQLException {
        this.url = url;
        this.username = username;
        this.password = password;
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String ddl : SCHEMA) {
                statement.execute(ddl);
            }
        }
    }

    /** The embedded default: an H2 file database in {@code <dataDir>/store}. */
    public static String embeddedUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.resolve("store").resolve("signalhub").toAbsolutePath() + ";DB_CLOSE_DELAY=-1";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, username, password);
    }
}
