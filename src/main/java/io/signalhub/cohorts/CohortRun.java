package io.signalhub.cohorts;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.signalhub.vendors.onesignal.OneSignalPlan;

/** One sync of one cohort as it goes through the routes (the exchange property {@link #PROPERTY}). */
public final class CohortRun {

    public static final String PROPERTY = "signalhubCohortRun";

    final Cohort cohort;
    final String trigger;
    final long reportId;
    final Instant startedAt;
    /** The whole current membership, when the run knows it (until it is in the store). */
    MemberIds members;
    /** Pushed changes, when the run only knows those. */
    final Set<String> entered = new LinkedHashSet<>();
    final Set<String> left = new LinkedHashSet<>();
    int skipped;
    String name;
    Long lastComputed;
    /** The source's cohort did not change since the last run: nothing to download or send. */
    boolean unchanged;
    CohortStore.Diff diff;
    /** The page being sent, its plan, and where the next page starts. */
    CohortStore.Pending page;
    OneSignalPlan plan;
    String after = "";
    boolean more;
    /** A member of this run matched a OneSignal user: the cohort's segment is due (asked once a run). */
    boolean segmentDue;
    boolean segmentEnsured;
    int added;
    int removed;
    int unmatched;
    final List<String> segmentErrors = new ArrayList<>();

    CohortRun(Cohort cohort, String trigger, long reportId, Instant startedAt) {
        this.cohort = cohort;
        this.trigger = trigger;
        this.reportId = reportId;
        this.startedAt = startedAt;
    }

    public Cohort cohort() {
        return cohort;
    }

    /** Changes of the difference OneSignal did not settle (they stay pending for the next run). */
    int failed() {
        return diff == null ? 0 : diff.adds() + diff.removes() - added - unmatched - removed;
    }

    /** Whether pages of the difference are still to be sent. */
    public boolean getMore() {
        return more;
    }

    /** The member source to read: mixpanel, amplitude, or none when the members were pushed. */
    public String getFetch() {
        return trigger.endsWith("webhook") ? "none" : cohort.source();
    }
}
