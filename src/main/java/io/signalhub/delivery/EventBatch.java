package io.signalhub.delivery;

import java.util.List;

import io.signalhub.eventstreams.OneSignalEvent;

/** The deliverable events of one Kafka poll, in record order. */
public record EventBatch(List<Entry> entries) {

    /** @param onlyFor the one destination a replayed dead letter is for; null for every destination */
    public record Entry(OneSignalEvent event, String onlyFor) {
    }
}
