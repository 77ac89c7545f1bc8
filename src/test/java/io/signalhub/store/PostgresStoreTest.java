package io.signalhub.store;

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
}
