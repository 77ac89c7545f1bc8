package io.signalhub.cohorts;

import java.util.Set;

/**
 * Membership a vendor pushed for a cohort: the whole set (Mixpanel's {@code members}, once every page
 * arrived) or who entered and who left.
 *
 * @param members the whole membership, or null when only changes were pushed
 * @param skipped pushed users without an External ID
 */
public record Pushed(String name, Set<String> members, Set<String> entered, Set<String> left, int skipped) {

    /** Exchange property holding it. */
    public static final String PROPERTY = "signalhubPushed";
}
