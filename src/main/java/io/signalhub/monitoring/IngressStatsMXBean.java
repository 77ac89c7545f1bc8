package io.signalhub.monitoring;

import java.util.Map;

/** What one ingress took and refused since the hub started. */
public interface IngressStatsMXBean {

    long getAccepted();

    /** Refused requests by reason: invalid, unauthorized, too_large, unavailable. */
    Map<String, Long> getRejected();

    /** Events accepted but forwarded nowhere (Live Activities, kinds OneSignal added later). */
    long getIgnored();

    /** The same by event kind (at most {@value IngressStats#MAX_KINDS} kinds, the rest as "other"). */
    Map<String, Long> getIgnoredByKind();
}
