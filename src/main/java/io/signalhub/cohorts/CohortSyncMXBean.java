package io.signalhub.cohorts;

import java.util.Map;

/** Cohort sync over JMX: each cohort's latest report, and a one-time export on demand. */
public interface CohortSyncMXBean {

    /** Per cohort ({@code <source> <id>}), its latest report as JSON. */
    Map<String, String> getLatestReports();

    /** Exports the cohort now and answers its report as JSON. */
    String export(String source, String cohortId);
}
