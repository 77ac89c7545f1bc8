package io.signalhub.monitoring;

import java.util.Map;

/** What one ingress took and refused since the hub started. */
public interface IngressStatsMXBean {

    long getAccepted();

    /** Refused requests by reason: invalid, unauthorized, too_large, unavailable. */
    Map<String, Long> getRejected();

    /** Events whose event.id was already delivered. */
    long getDuplicates();

    /** Events accepted but forwarded nowhere (Live Activity kinds). */
    long getIgnored();

    /** Kafka records that could not be read as events; each is in the dead-letter topic. */
    long getInvalidRecords();
}
