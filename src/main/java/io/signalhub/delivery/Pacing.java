package io.signalhub.delivery;

import java.util.function.LongSupplier;

/**
 * The request rate a destination's throttle allows: the configured rate, halved for a while after the
 * vendor answered 429 (each further 429 halves it again, down to one request a second), so a throttled
 * vendor is not met at full speed the moment its Retry-After has passed.
 */
public final class Pacing {

    static final long SLOW_FOR_MILLIS = 60_000;

    private final int configured;
    private final LongSupplier clock;
    private int slowed;
    private long slowUntil;

    public Pacing(int configured, LongSupplier clock) {
        if (configured < 1) {
            throw new IllegalArgumentException("a rate limit must be at least 1 request a second, not " + configured);
        }
        this.configured = configured;
        this.clock = clock;
        this.slowed = configured;
    }

    public synchronized int rate() {
        return clock.getAsLong() < slowUntil ? slowed : configured;
    }

    public synchronized void throttled() {
        slowed = Math.max(1, rate() / 2);
        slowUntil = clock.getAsLong() + SLOW_FOR_MILLIS;
    }
}
