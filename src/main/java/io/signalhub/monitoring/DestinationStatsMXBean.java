package io.signalhub.monitoring;

import java.util.Map;

/** What one destination did since the hub started, and how far behind it is. */
public interface DestinationStatsMXBean {

    boolean isEnabled();

    long getDelivered();

    long getRetried();

    long getThrottled();

    long getDeadLettered();

    /** Dead letters by reason: http_&lt;status&gt; (the vendor refused), untranslatable, unreadable, poison. */
    Map<String, Long> getDeadLetteredByReason();

    /** Events of kinds not enabled for the destination (hub.&lt;destination&gt;.events). */
    long getSkipped();

    /** Events already delivered here that came again (OneSignal's retries, a batch handed again). */
    long getDuplicates();

    /** Records of the topic the destination's consumer group has not committed (refreshed every few seconds). */
    long getLagRecords();

    /** How old the oldest event waiting for this destination on this instance is, in seconds (0 when caught up). */
    long getLagSeconds();

    String getLastError();

    /** How long every answer has been a failure, in seconds (0 while deliveries succeed). */
    long getFailingForSeconds();
}
