package io.signalhub.cohorts;

import java.time.Instant;

/**
 * What one sync of one cohort did.
 *
 * @param members   members the source reported (or the push carried)
 * @param matched   members OneSignal knows (tagged now or before)
 * @param added     members tagged in this run
 * @param removed   former members untagged in this run
 * @param unmatched members OneSignal does not know the External ID of: never created
 * @param skipped   members without an External ID (anonymous profiles, empty user_id)
 * @param failed    tag updates OneSignal refused; they go again on the next run
 * @param error     why the run failed or what it could not do (a refused segment), or null
 */
public record SyncReport(long id, String source, String cohortId, String trigger, Instant startedAt, Instant finishedAt,
                         int members, int matched, int added, int removed, int unmatched, int skipped, int failed,
                         String error) {

    /** The note of a run that found the cohort unchanged at its source: not a failure. */
    static final String UNCHANGED = "unchanged since the last run";

    /** Whether the run did all it had to: no member failed, no error (the unchanged note is none). */
    public boolean succeeded() {
        return failed == 0 && (error == null || error.startsWith(UNCHANGED));
    }
}
