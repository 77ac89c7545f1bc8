package io.signalhub.cohorts;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

import io.signalhub.datain.OneSignalPlan;

/** One sync of one cohort as it goes through the routes (the exchange property {@link #PROPERTY}). */
public final class CohortRun {

    public static final String PROPERTY = "signalhubCohortRun";

    final Cohort cohort;
    final String trigger;
    final long reportId;
    final Instant startedAt;
    /** The whole current membership, when the run knows it. */
    Set<String> members;
    /** Pushed changes, when the run only knows those. */
    final Set<String> entered = new LinkedHashSet<>();
    final Set<String> left = new LinkedHashSet<>();
    int skipped;
    String name;
    Long lastComputed;
    /** The source's cohort did not change since the last run: nothing to download or send. */
    boolean unchanged;
    CohortStore.Pending pending;
    OneSignalPlan plan;

    CohortRun(Cohort cohort, String trigger, long reportId, Instant startedAt) {
        this.cohort = cohort;
        this.trigger = trigger;
        this.reportId = reportId;
        this.startedAt = startedAt;
    }

    public Cohort cohort() {
        return cohort;
    }

    /** The member source to read: mixpanel, amplitude, or none when the members were pushed. */
    public String getFetch() {
        return trigger.endsWith("webhook") ? "none" : cohort.source();
    }
}
