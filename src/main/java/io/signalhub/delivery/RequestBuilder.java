package io.signalhub.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.signalhub.Json;
import io.signalhub.eventstreams.OneSignalEvent;

/** Translates events for a vendor and packs the items into as few requests as its count and size limits allow. */
public final class RequestBuilder {

    private RequestBuilder() {
    }

    /**
     * Each event as the vendor's item under its configured name. An event the vendor cannot take, or
     * whose translation fails in any way (the same way on every attempt), is refused with the reason.
     */
    public static Translated translate(Vendor vendor, EventNames names, DetailNames details, List<OneSignalEvent> events) {
        Translated translated = Translated.empty();
        int maxEventBytes = vendor.limits().maxEventBytes();
        ByteArrayBuilder buffer = new ByteArrayBuilder(1024);
        // one generator writes every item of the batch, each flushed and taken as its own bytes
        JsonGenerator out = generator(buffer);
        String kind = null;
        String eventName = null;
        try {
            for (OneSignalEvent event : events) {
                byte[] item;
                try {
                    if (!event.kind().equals(kind)) {
                        kind = event.kind();
                        eventName = names.nameOf(kind);
                    }
                    item = item(vendor, event, eventName, details, out, buffer);
                } catch (IOException | RuntimeException e) {
                    out = restarted(out, buffer);
                    // an IllegalArgumentException is the vendor's own refusal, its message the reason
                    String reason = e instanceof IllegalArgumentException ? e.getMessage()
                            : "the event could not be translated for " + vendor.name() + ": " + e;
                    translated.rejections().add(DeadLetters.rejection(event, reason, 0, null));
                    continue;
                }
                if (item.length > maxEventBytes) {
                    translated.rejections().add(DeadLetters.rejection(event, "the " + vendor.name() + " event is " + item.length
                            + " bytes; the vendor takes at most " + maxEventBytes, 0, null));
                    continue;
                }
                translated.events().add(event);
                translated.items().add(item);
            }
        } finally {
            closeQuietly(out);
        }
        return translated;
    }

    /** One event's item as the vendor writes it, in UTF-8. */
    public static byte[] item(Vendor vendor, OneSignalEvent event, String eventName, DetailNames details) {
        ByteArrayBuilder buffer = new ByteArrayBuilder(1024);
        try (JsonGenerator out = generator(buffer)) {
            return item(vendor, event, eventName, details, out, buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] item(Vendor vendor, OneSignalEvent event, String eventName, DetailNames details,
                               JsonGenerator out, ByteArrayBuilder buffer) throws IOException {
        vendor.writeItem(event, eventName, details, out);
        out.flush();
        byte[] item = buffer.toByteArray();
        buffer.reset();
        return item;
    }

    /** A generator of items one after another, with nothing written between them. */
    private static JsonGenerator generator(ByteArrayBuilder buffer) {
        try {
            JsonGenerator out = Json.MAPPER.getFactory().createGenerator(buffer);
            out.setRootValueSeparator(null);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh generator after an item failed half-written: the old one is left inside that item. */
    private static JsonGenerator restarted(JsonGenerator broken, ByteArrayBuilder buffer) {
        closeQuietly(broken);
        buffer.reset();
        return generator(buffer);
    }

    private static void closeQuietly(JsonGenerator out) {
        try {
            out.close();
        } catch (IOException | RuntimeException ignored) {
            // the half-written item is thrown away with it
        }
    }

    /** The translated items in requests within the vendor's count and size limits, in order. */
    public static List<OutboundRequest> pack(Vendor vendor, Translated translated) {
        Vendor.Limits limits = vendor.limits();
        int envelopeBytes = vendor.envelope(List.of()).length;
        List<OutboundRequest> requests = new ArrayList<>();
        List<OneSignalEvent> pendingEvents = new ArrayList<>();
        List<byte[]> pendingItems = new ArrayList<>();
        int pendingBytes = envelopeBytes;
        for (int i = 0; i < translated.items().size(); i++) {
            byte[] item = translated.items().get(i);
            boolean full = pendingItems.size() == limits.maxEvents()
                    || pendingBytes + item.length + 1 > limits.maxRequestBytes();
            if (full && !pendingItems.isEmpty()) {
                requests.add(new OutboundRequest(pendingEvents, pendingItems));
                pendingEvents = new ArrayList<>();
                pendingItems = new ArrayList<>();
                pendingBytes = envelopeBytes;
            }
            pendingEvents.add(translated.events().get(i));
            pendingItems.add(item);
            pendingBytes += item.length + 1;
        }
        if (!pendingItems.isEmpty()) {
            requests.add(new OutboundRequest(pendingEvents, pendingItems));
        }
        return requests;
    }

    /** A request body: {@code head}, the items separated by commas, {@code tail}, in one array of the exact size. */
    public static byte[] join(String head, List<byte[]> items, String tail) {
        byte[] start = head.getBytes(StandardCharsets.UTF_8);
        byte[] end = tail.getBytes(StandardCharsets.UTF_8);
        int size = start.length + end.length + Math.max(0, items.size() - 1);
        for (byte[] item : items) {
            size += item.length;
        }
        byte[] body = new byte[size];
        System.arraycopy(start, 0, body, 0, start.length);
        int at = start.length;
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                body[at++] = ',';
            }
            byte[] item = items.get(i);
            System.arraycopy(item, 0, body, at, item.length);
            at += item.length;
        }
        System.arraycopy(end, 0, body, at, end.length);
        return body;
    }
}
