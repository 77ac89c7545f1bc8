package io.signalhub.delivery;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import io.signalhub.eventstreams.OneSignalEvent;

/**
 * Everything one analytics vendor needs that differs from the others: how an event becomes the
 * vendor's item, how items are wrapped into a request, the vendor's limits and credentials, and what
 * its answers mean. Implementations are pure: no I/O, no clocks they were not given.
 */
public interface Vendor {

    /** The request limits of the vendor's ingestion API. */
    record Limits(int maxEvents, int maxRequestBytes, int maxEventBytes) {
    }

    String name();

    /**
     * Writes the vendor's item (one JSON object) for one event under the configured event name, its
     * details among the properties under the names of the destination's table. Items
     * are written straight to their bytes: every destination writes one for every event, and a tree
     * per item cost more than the rest of the translation.
     *
     * @throws IllegalArgumentException naming the reason when this event cannot be sent to the vendor
     */
    void writeItem(OneSignalEvent event, String eventName, DetailNames details, JsonGenerator item) throws IOException;

    /** The request body (UTF-8 JSON) that carries these items; built for each attempt. */
    byte[] envelope(List<byte[]> items);

    Limits limits();

    /** The body of an attempt to send the request. */
    default byte[] body(OutboundRequest request) {
        return envelope(request.items());
    }

    /** HTTP headers of every request (authentication). */
    Map<String, String> headers();

    /** What the vendor's answer to this request means. */
    Outcome interpret(OutboundRequest request, int status, String responseBody, String retryAfterHeader);

    /** The request made of only the items at these positions. */
    default OutboundRequest subset(OutboundRequest request, Collection<Integer> positions) {
        List<OneSignalEvent> events = new ArrayList<>();
        List<byte[]> items = new ArrayList<>();
        positions.stream().sorted().distinct()
                .filter(i -> i >= 0 && i < request.events().size())
                .forEach(i -> {
                    events.add(request.events().get(i));
                    items.add(request.items().get(i));
                });
        return new OutboundRequest(events, items);
    }
}
