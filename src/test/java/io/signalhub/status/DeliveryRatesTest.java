package io.signalhub.status;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DeliveryRatesTest {

    @Test
    void theRateIsOverTheWindowKeptNotSinceStart() {
        DeliveryRates rates = new DeliveryRates(3);
        assertEquals(0, rates.perMinute("segment"));
        rates.sample("segment", 0, 0);
        assertEquals(0, rates.perMinute("segment"), "one sample is no rate");
        rates.sample("segment", 10_000, 100);
        assertEquals(600, rates.perMinute("segment"), 0.001);
        rates.sample("segment", 20_000, 100);
        assertEquals(300, rates.perMinute("segment"), 0.001);
        // the first sample falls out of the window: from 10 s to 30 s, nothing more was delivered
        rates.sample("segment", 30_000, 100);
        assertEquals(0, rates.perMinute("segment"), 0.001);
        assertEquals(0, rates.perMinute("amplitude"));
    }
}
