package io.signalhub.cohorts;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * The queries an hour a source's API allows (Mixpanel's Query API: 60 per project,
 * https://docs.mixpanel.com/reference/rate-limits), counted over the last hour. A run asks before each
 * query and stops when none is left, instead of waiting up to an hour for the next.
 */
final class QueryBudget {

    private static final long HOUR_MILLIS = 3_600_000;

    private final int perHour;
    private final LongSupplier clock;
    private final Deque<Long> taken = new ArrayDeque<>();

    QueryBudget(int perHour, LongSupplier clock) {
        this.perHour = perHour;
        this.clock = clock;
    }

    /** Takes one query; false when the last hour's are all spent. */
    synchronized boolean tryTake() {
        long now = clock.getAsLong();
        while (!taken.isEmpty() && taken.peekFirst() <= now - HOUR_MILLIS) {
            taken.pollFirst();
        }
        if (taken.size() >= perHour) {
            return false;
        }
        taken.addLast(now);
        return true;
    }

    /** Minutes until a query is free again (0 when one is). */
    synchronized long minutesUntilFree() {
        if (taken.size() < perHour) {
            return 0;
        }
        return Math.max(1, (taken.peekFirst() + HOUR_MILLIS - clock.getAsLong() + 59_999) / 60_000);
    }
}
