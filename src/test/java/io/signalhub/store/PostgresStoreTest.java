package io.signalhub.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.signalhub.cohorts.CohortStoreTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same store, on a real PostgreSQL server: what a deployment of several instances shares. */
class PostgresStoreTest extends CohortStoreTest {

    private static PostgresServer server;

    @Override
    protected HubStore newStore() throws Exception {
        synchronized (PostgresStoreTest.class) {
            if (server == null) {
                server = PostgresServer.start();
            }
        }
        HubStore store = new HubStore(server.url(), "signalhub", "");
        // each test starts from empty tables
        try (var connection = store.connect(); var statement = connection.createStatement()) {
            for (String table : new String[] {"cohort_members", "cohort_state", "cohort_reports", "cohort_webhook_pages",
                "cohort_push_messages", "onesignal_segments"}) {
                statement.execute("DELETE FROM " + table);
            }
        }
        return store;
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void knownSegmentsAreSharedThroughTheDatabase() throws Exception {
        KnownSegments first = new KnownSegments(newStore());
        KnownSegments second = new KnownSegments(new HubStore(server.url(), "signalhub", ""));
        assertFalse(second.contains("app", "VIP"));
        first.remember("app", "VIP", "id-1");
        assertTrue(second.contains("app", "VIP"), "another instance on the same database knows it");
        second.remember("app", "VIP", null);
    }

    /** An instance joining creates nothing that exists, so it does not wait on (or deadlock with) a running scheduler. */
    @Test
    void quartzTablesAreCreatedOnceAndAJoiningInstanceLocksNoneOfThem() throws Exception {
        HubStore store = newStore();
        ClusteredSchedule.createTables(store);
        try (Connection scheduler = store.connect(); Statement writes = scheduler.createStatement()) {
            // what a running Quartz holds while it fires: a row lock, so a row-exclusive lock on the table
            scheduler.setAutoCommit(false);
            writes.execute("DELETE FROM qrtz_fired_triggers WHERE sched_name = 'none'");
            writes.execute("DELETE FROM qrtz_triggers WHERE sched_name = 'none'");
            CompletableFuture<Void> joining = CompletableFuture.runAsync(() -> {
                try {
                    ClusteredSchedule.createTables(new HubStore(server.url(), "signalhub", ""));
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            joining.get(10, TimeUnit.SECONDS);
            scheduler.rollback();
        }
    }
}
