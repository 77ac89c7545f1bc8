package io.signalhub.cohorts;

import java.util.Set;
import java.util.UUID;

import io.signalhub.store.HubStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The diff against the last synced membership, and what a crash in the middle leaves behind. */
public class CohortStoreTest {

    private static final Cohort COHORT = new Cohort(Cohort.MIXPANEL, "42", true, "default", "mixpanel_cohort_42");
    private static final String APP = "app-1";

    private CohortStore store;

    /** The database under test: embedded H2 here, PostgreSQL in a subclass. */
    protected HubStore newStore() throws Exception {
        return new HubStore("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "", "");
    }

    @BeforeEach
    void openStore() throws Exception {
        store = new CohortStore(newStore());
    }

    /** Runs a sync in which OneSignal takes every change and knows every user but the unknown ones. */
    private CohortStore.Pending sync(Set<String> current, Set<String> unknown) {
        CohortStore.Pending pending = store.replace(COHORT, APP, current, false);
        Set<String> applied = new java.util.HashSet<>(pending.adds());
        applied.addAll(pending.removes());
        applied.removeAll(unknown);
        store.settle(COHORT, APP, pending, applied, unknown);
        return pending;
    }

    @Test
    void onlyTheDifferenceIsSent() {
        CohortStore.Pending first = sync(Set.of("a", "b", "c"), Set.of());
        assertEquals(Set.of("a", "b", "c"), first.adds());
        assertEquals(Set.of(), first.removes());

        CohortStore.Pending second = sync(Set.of("b", "c", "d"), Set.of());
        assertEquals(Set.of("d"), second.adds());
        assertEquals(Set.of("a"), second.removes());
        assertEquals(3, store.matched(COHORT, APP));

        CohortStore.Pending unchanged = sync(Set.of("b", "c", "d"), Set.of());
        assertTrue(unchanged.adds().isEmpty() && unchanged.removes().isEmpty());
    }

    @Test
    void unknownUsersAreNotAskedForAgainUnlessAnExportRetriesThem() {
        sync(Set.of("a", "ghost"), Set.of("ghost"));
        assertEquals(1, store.matched(COHORT, APP));
        assertTrue(sync(Set.of("a", "ghost"), Set.of("ghost")).adds().isEmpty());
        CohortStore.Pending export = store.replace(COHORT, APP, Set.of("a", "ghost"), true);
        assertEquals(Set.of("ghost"), export.adds());
        store.settle(COHORT, APP, export, Set.of(), Set.of("ghost"));
        // an unknown user who leaves is forgotten, never untagged
        CohortStore.Pending left = store.replace(COHORT, APP, Set.of("a"), false);
        assertEquals(Set.of(), left.removes());
    }

    @Test
    void aCrashBeforeOneSignalAnsweredLeavesTheNextRunCorrect() {
        sync(Set.of("a", "b"), Set.of());
        // a run wants to add c and remove a, then the hub dies before anything is settled
        CohortStore.Pending crashed = store.replace(COHORT, APP, Set.of("b", "c"), false);
        assertEquals(Set.of("c"), crashed.adds());
        assertEquals(Set.of("a"), crashed.removes());

        // meanwhile c left and a came back: the next run untags c (it may have been tagged) and keeps a
        CohortStore.Pending next = store.replace(COHORT, APP, Set.of("a", "b"), false);
        assertEquals(Set.of("a"), next.adds(), "a's untag may have gone out: tag it again");
        assertEquals(Set.of("c"), next.removes(), "c's tag may have gone out: untag it");
        store.settle(COHORT, APP, next, Set.of("a", "c"), Set.of());
        assertTrue(store.replace(COHORT, APP, Set.of("a", "b"), false).adds().isEmpty());
        assertEquals(2, store.matched(COHORT, APP));
    }

    @Test
    void failedUpdatesStayPendingForTheNextRun() {
        CohortStore.Pending pending = store.replace(COHORT, APP, Set.of("a", "b"), false);
        store.settle(COHORT, APP, pending, Set.of("a"), Set.of());
        assertEquals(Set.of("b"), store.replace(COHORT, APP, Set.of("a", "b"), false).adds());
    }

    @Test
    void pushedChangesAddAndRemove() {
        CohortStore.Pending entered = store.change(COHORT, APP, Set.of("a", "b"), Set.of());
        store.settle(COHORT, APP, entered, entered.adds(), Set.of());
        CohortStore.Pending left = store.change(COHORT, APP, Set.of(), Set.of("a", "never-seen"));
        assertEquals(Set.of("a"), left.removes());
        assertEquals(1, left.members());
    }

    @Test
    void mixpanelWebhookPagesAreAssembledBeforeUse() {
        assertNull(store.membersPage("42", "s1", 1, 3, Set.of("a")));
        assertNull(store.membersPage("42", "s1", 2, 3, Set.of("b")));
        assertNull(store.membersPage("42", "s1", 2, 3, Set.of("b")), "a page sent twice counts once");
        assertEquals(Set.of("a", "b", "c"), store.membersPage("42", "s1", 3, 3, Set.of("c")));
    }

    @Test
    void pushedMessageIdsAreTakenOnce() {
        assertFalse(store.delivered("m-1"));
        store.markDelivered("m-1");
        store.markDelivered("m-1");
        assertTrue(store.delivered("m-1"));
    }
}
