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

    /** Records the members and returns every change pending. */
    private CohortStore.Pending replace(Set<String> current, boolean retryUnmatched) {
        store.replace(COHORT, APP, ids(current), retryUnmatched);
        return store.pending(COHORT, APP, "", Integer.MAX_VALUE);
    }

    static MemberIds ids(java.util.Collection<String> members) {
        MemberIds ids = new MemberIds();
        members.forEach(ids::add);
        return ids;
    }

    /** Runs a sync in which OneSignal takes every change and knows every user but the unknown ones. */
    private CohortStore.Pending sync(Set<String> current, Set<String> unknown) {
        CohortStore.Pending pending = replace(current, false);
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
    void aCohortOfMoreNewcomersThanAWriteBatchIsStoredWhole() {
        Set<String> members = new java.util.HashSet<>();
        for (int i = 0; i < 25_001; i++) {
            members.add("member-" + i);
        }
        assertEquals(new CohortStore.Diff(25_001, 0, 25_001), store.replace(COHORT, APP, ids(members), false));
        assertEquals(members, store.pending(COHORT, APP, "", Integer.MAX_VALUE).adds());
        members.remove("member-7");
        members.add("member-25001");
        assertEquals(new CohortStore.Diff(25_001, 1, 25_001), store.replace(COHORT, APP, ids(members), false));
    }

    @Test
    void unknownUsersAreNotAskedForAgainUnlessAnExportRetriesThem() {
        sync(Set.of("a", "ghost"), Set.of("ghost"));
        assertEquals(1, store.matched(COHORT, APP));
        assertTrue(sync(Set.of("a", "ghost"), Set.of("ghost")).adds().isEmpty());
        CohortStore.Pending export = replace(Set.of("a", "ghost"), true);
        assertEquals(Set.of("ghost"), export.adds());
        store.settle(COHORT, APP, export, Set.of(), Set.of("ghost"));
        // an unknown user who leaves is forgotten, never untagged
        CohortStore.Pending left = replace(Set.of("a"), false);
        assertEquals(Set.of(), left.removes());
    }

    @Test
    void aCrashBeforeOneSignalAnsweredLeavesTheNextRunCorrect() {
        sync(Set.of("a", "b"), Set.of());
        // a run wants to add c and remove a, then the hub dies before anything is settled
        CohortStore.Pending crashed = replace(Set.of("b", "c"), false);
        assertEquals(Set.of("c"), crashed.adds());
        assertEquals(Set.of("a"), crashed.removes());

        // meanwhile c left and a came back: the next run untags c (it may have been tagged) and keeps a
        CohortStore.Pending next = replace(Set.of("a", "b"), false);
        assertEquals(Set.of("a"), next.adds(), "a's untag may have gone out: tag it again");
        assertEquals(Set.of("c"), next.removes(), "c's tag may have gone out: untag it");
        store.settle(COHORT, APP, next, Set.of("a", "c"), Set.of());
        assertTrue(replace(Set.of("a", "b"), false).adds().isEmpty());
        assertEquals(2, store.matched(COHORT, APP));
    }

    @Test
    void failedUpdatesStayPendingForTheNextRun() {
        CohortStore.Pending pending = replace(Set.of("a", "b"), false);
        store.settle(COHORT, APP, pending, Set.of("a"), Set.of());
        assertEquals(Set.of("b"), replace(Set.of("a", "b"), false).adds());
    }

    @Test
    void pushedChangesAddAndRemove() {
        store.change(COHORT, APP, Set.of("a", "b"), Set.of());
        CohortStore.Pending entered = store.pending(COHORT, APP, "", Integer.MAX_VALUE);
        store.settle(COHORT, APP, entered, entered.adds(), Set.of());
        assertEquals(new CohortStore.Diff(0, 1, 1), store.change(COHORT, APP, Set.of(), Set.of("a", "never-seen")));
        assertEquals(Set.of("a"), store.pending(COHORT, APP, "", Integer.MAX_VALUE).removes());
    }

    @Test
    void theDifferenceGoesOutPageByPageAndAFailedMemberDoesNotHoldTheRest() {
        Set<String> members = new java.util.TreeSet<>();
        for (int i = 0; i < 12; i++) {
            members.add("m" + (char) ('a' + i));
        }
        assertEquals(new CohortStore.Diff(12, 0, 12), store.replace(COHORT, APP, ids(members), false));
        CohortStore.Pending first = store.pending(COHORT, APP, "", 5);
        assertEquals(5, first.size());
        // OneSignal refused the first member of the page: it stays pending, the next page starts after the page
        Set<String> applied = new java.util.HashSet<>(first.adds());
        applied.remove("ma");
        store.settle(COHORT, APP, first, applied, Set.of());
        CohortStore.Pending second = store.pending(COHORT, APP, first.last(), 5);
        CohortStore.Pending third = store.pending(COHORT, APP, second.last(), 5);
        assertEquals(Set.of("mf", "mg", "mh", "mi", "mj"), second.adds());
        assertEquals(Set.of("mk", "ml"), third.adds());
        store.settle(COHORT, APP, second, second.adds(), Set.of());
        store.settle(COHORT, APP, third, third.adds(), Set.of());
        assertEquals(Set.of("ma"), store.pending(COHORT, APP, "", 5).adds(), "the next run sends it again");
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
