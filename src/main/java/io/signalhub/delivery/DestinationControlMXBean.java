package io.signalhub.delivery;

/**
 * Operating one Data Out destination on this instance: pausing stops its consumer (its lag grows,
 * its events wait in Kafka, the other destinations go on); rewinding re-delivers to it alone everything
 * since a point in time. With several instances, pause each; rewind needs the destination paused on the others.
 */
public interface DestinationControlMXBean {

    boolean isPaused();

    void pause();

    void resume();

    /**
     * @param since an ISO-8601 instant, e.g. 2026-12-01T10:00:00Z
     * @return how many records the destination reads again
     */
    long rewind(String since);
}
