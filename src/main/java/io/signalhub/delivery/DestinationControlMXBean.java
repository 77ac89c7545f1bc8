package io.signalhub.delivery;

/**
 * Pausing a Data Out destination (a vendor outage announced, a key being rotated): while paused, its
 * events are set aside on the parking topic and the other destinations go on; resuming delivers them.
 * Each instance pauses on its own: with several instances, pause each.
 */
public interface DestinationControlMXBean {

    boolean isPaused();

    void pause();

    /** @return how many parked events were put back on the events topic for this destination */
    int resume();
}
