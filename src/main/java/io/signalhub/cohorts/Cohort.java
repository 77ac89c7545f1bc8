package io.signalhub.cohorts;

/**
 * One cohort to keep in OneSignal: where it comes from, how it is synced, which OneSignal app and
 * which tag carry its membership.
 *
 * @param source  {@code mixpanel} or {@code amplitude}
 * @param id      the vendor's cohort id
 * @param dynamic synced on the schedule (true) or exported once on request (false)
 * @param app     the OneSignal app's name in the hub's settings
 * @param tagKey  the tag members carry ("true"), {@code <source>_cohort_<id>} by default
 */
public record Cohort(String source, String id, boolean dynamic, String app, String tagKey) {

    public static final String MIXPANEL = "mixpanel";
    public static final String AMPLITUDE = "amplitude";

    public static String defaultTag(String source, String id) {
        return source + "_cohort_" + id.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    @Override
    public String toString() {
        return source + " cohort " + id;
    }
}
