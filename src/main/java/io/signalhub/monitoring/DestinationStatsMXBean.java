package io.signalhub.monitoring;

/** What one destination did since the hub started. */
public interface DestinationStatsMXBean {

    boolean isEnabled();

    long getDelivered();

    long getRetried();

    long getThrottled();

    long getDeadLettered();

    /** Events set aside on the parking topic while the destination was paused (delivered again on resume). */
    long getParked();

    /** Events of kinds not enabled for the destination (hub.&lt;destination&gt;.events). */
    long getSkipped();

    String getLastError();

    /** How long every answer has been a failure, in seconds (0 while deliveries succeed). */
    long getFailingForSeconds();
}
