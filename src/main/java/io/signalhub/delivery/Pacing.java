package io.signalhub.delivery;

import java.util.function.LongSupplier;

/**
 * The request rate a destination's throttle allows: the configured rate, halved for a minute after the
 * vendor answered 429 (a further 429 starts the minute again), so a throttled vendor is not met at full
 * speed the moment its Retry-After has passed.
 */
public final class Pacing {

    static final long SLOW_FOR_MILLIS = 60_000;

    private final int configured;
    private final int slowed;
    private final LongSupplier clock;
    private long slowUntil;

    public Pacing(int configured, LongSupplier clock) {
        if (configured < 1) {
            throw new IllegalArgumentException("a rate limit must be at least 1 request a second, not " + configured);
        }
        this.configured = configured;
        this.slowed = Math.max(1, configured / 2);
        this.clock = clock;
    }

    public synchronized int rate() {
        return clock.getAsLong() < slowUntil ? slowed : configured;
    }

    public synchronized void throttled() {
        slowUntil = clock.getAsLong() + SLOW_FOR_MILLIS;
    }
}
