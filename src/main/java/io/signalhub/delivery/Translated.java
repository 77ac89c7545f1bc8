package io.signalhub.delivery;

import java.util.ArrayList;
import java.util.List;

import io.signalhub.eventstreams.OneSignalEvent;

/**
 * Events translated for one vendor (each event beside its item as UTF-8 JSON, in the same order) and the
 * events that could not be translated, with the reason. Gathered across a batch's event groups.
 */
public record Translated(List<OneSignalEvent> events, List<byte[]> items, List<Rejection> rejections) {

    public static Translated empty() {
        return new Translated(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    }

    public Translated add(Translated other) {
        events.addAll(other.events);
        items.addAll(other.items);
        rejections.addAll(other.rejections);
        return this;
    }
}
