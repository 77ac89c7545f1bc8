package io.signalhub.delivery;

/** Operations on the dead-letter topic. */
public interface DeadLettersMXBean {

    /**
     * Puts the dead letters that arrived since the last replay back on the events topic, each addressed
     * to the destination that refused it.
     *
     * @param destination only this destination's dead letters; blank for all
     * @return how many records were replayed
     */
    int replay(String destination);
}
