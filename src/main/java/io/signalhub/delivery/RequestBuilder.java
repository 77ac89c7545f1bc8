package io.signalhub.delivery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.signalhub.eventstreams.OneSignalEvent;

/** Turns events into as few requests as the vendor's count and size limits allow. */
public final class RequestBuilder {

    /** The requests to send and the events that cannot be sent at all. */
    public record Built(List<OutboundRequest> requests, List<Rejection> rejections) {
    }

    private RequestBuilder() {
    }

    /** @param names the configured vendor event name of every enabled kind */
    public static Built build(Vendor vendor, EventNames names, List<OneSignalEvent> events) {
        Vendor.Limits limits = vendor.limits();
        int envelopeBytes = utf8Length(vendor.envelope(List.of()));
        List<OutboundRequest> requests = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        List<OneSignalEvent> pendingEvents = new ArrayList<>();
        List<String> pendingItems = new ArrayList<>();
        int pendingBytes = envelopeBytes;
        for (OneSignalEvent event : events) {
            String item;
            try {
                item = vendor.translate(event, names.nameOf(event.kind())).toString();
            } catch (IllegalArgumentException e) {
                rejections.add(DeadLetters.rejection(event, e.getMessage(), 0, null));
                continue;
            }
            int itemBytes = utf8Length(item);
            if (itemBytes > limits.maxEventBytes()) {
                rejections.add(DeadLetters.rejection(event, "the " + vendor.name() + " event is " + itemBytes
                        + " bytes; the vendor takes at most " + limits.maxEventBytes(), 0, null));
                continue;
            }
            boolean full = pendingItems.size() == limits.maxEvents()
                    || pendingBytes + itemBytes + 1 > limits.maxRequestBytes();
            if (full && !pendingItems.isEmpty()) {
                requests.add(new OutboundRequest(pendingEvents, pendingItems, vendor.envelope(pendingItems)));
                pendingEvents = new ArrayList<>();
                pendingItems = new ArrayList<>();
                pendingBytes = envelopeBytes;
            }
            pendingEvents.add(event);
            pendingItems.add(item);
            pendingBytes += itemBytes + 1;
        }
        if (!pendingItems.isEmpty()) {
            requests.add(new OutboundRequest(pendingEvents, pendingItems, vendor.envelope(pendingItems)));
        }
        return new Built(requests, rejections);
    }

    static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
