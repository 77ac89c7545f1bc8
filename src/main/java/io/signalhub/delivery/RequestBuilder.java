package io.signalhub.delivery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.signalhub.eventstreams.OneSignalEvent;

/** Translates events for a vendor and packs the items into as few requests as its count and size limits allow. */
public final class RequestBuilder {

    private RequestBuilder() {
    }

    /**
     * Each event as the vendor's item under its configured name. An event the vendor cannot take, or
     * whose translation fails in any way (the same way on every attempt), is refused with the reason.
     */
    public static Translated translate(Vendor vendor, EventNames names, List<OneSignalEvent> events) {
        Translated translated = Translated.empty();
        int maxEventBytes = vendor.limits().maxEventBytes();
        for (OneSignalEvent event : events) {
            String item;
            try {
                item = vendor.translate(event, names.nameOf(event.kind())).toString();
            } catch (IllegalArgumentException e) {
                translated.rejections().add(DeadLetters.rejection(event, e.getMessage(), 0, null));
                continue;
            } catch (RuntimeException e) {
                translated.rejections().add(DeadLetters.rejection(event, "the event could not be translated for "
                        + vendor.name() + ": " + e, 0, null));
                continue;
            }
            int itemBytes = utf8Length(item);
            if (itemBytes > maxEventBytes) {
                translated.rejections().add(DeadLetters.rejection(event, "the " + vendor.name() + " event is " + itemBytes
                        + " bytes; the vendor takes at most " + maxEventBytes, 0, null));
                continue;
            }
            translated.events().add(event);
            translated.items().add(item);
        }
        return translated;
    }

    /** The translated items in requests within the vendor's count and size limits, in order. */
    public static List<OutboundRequest> pack(Vendor vendor, Translated translated) {
        Vendor.Limits limits = vendor.limits();
        int envelopeBytes = utf8Length(vendor.envelope(List.of()));
        List<OutboundRequest> requests = new ArrayList<>();
        List<OneSignalEvent> pendingEvents = new ArrayList<>();
        List<String> pendingItems = new ArrayList<>();
        int pendingBytes = envelopeBytes;
        for (int i = 0; i < translated.items().size(); i++) {
            String item = translated.items().get(i);
            int itemBytes = utf8Length(item);
            boolean full = pendingItems.size() == limits.maxEvents()
                    || pendingBytes + itemBytes + 1 > limits.maxRequestBytes();
            if (full && !pendingItems.isEmpty()) {
                requests.add(new OutboundRequest(pendingEvents, pendingItems, vendor.envelope(pendingItems)));
                pendingEvents = new ArrayList<>();
                pendingItems = new ArrayList<>();
                pendingBytes = envelopeBytes;
            }
            pendingEvents.add(translated.events().get(i));
            pendingItems.add(item);
            pendingBytes += itemBytes + 1;
        }
        if (!pendingItems.isEmpty()) {
            requests.add(new OutboundRequest(pendingEvents, pendingItems, vendor.envelope(pendingItems)));
        }
        return requests;
    }

    static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
