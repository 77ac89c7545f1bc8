package io.signalhub.delivery;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PacingTest {

    @Test
    void aThrottledDestinationSendsAtHalfItsRateForAMinute() {
        AtomicLong now = new AtomicLong(1_000);
        Pacing pacing = new Pacing(50, now::get);
        assertEquals(50, pacing.rate());
        pacing.throttled();
        assertEquals(25, pacing.rate());
        now.addAndGet(Pacing.SLOW_FOR_MILLIS - 1);
        pacing.throttled();
        assertEquals(25, pacing.rate(), "a second 429 does not halve again, it starts the minute again");
        now.addAndGet(Pacing.SLOW_FOR_MILLIS - 1);
        assertEquals(25, pacing.rate());
        now.addAndGet(1);
        assertEquals(50, pacing.rate());
        Pacing slowest = new Pacing(1, now::get);
        slowest.throttled();
        assertEquals(1, slowest.rate(), "never below one request a second");
        assertThrows(IllegalArgumentException.class, () -> new Pacing(0, now::get));
    }
}
