package io.signalhub.delivery;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import io.signalhub.Json;
import io.signalhub.eventstreams.OneSignalEvent;

/**
 * A destination's property table for an event's details ({@code event.data.*}, the message URLs):
 * which it carries under which property name, kept as data in
 * {@code config/event-properties/<destination>.properties}. An {@code event.data.*} field the table
 * does not list goes under the name of its {@code event.data.*} entry, {@code *} standing for the
 * field's own name, so a field OneSignal adds later still arrives; without that entry it is left out.
 */
public final class DetailNames {

    private static final String WILDCARD = OneSignalEvent.DATA_PREFIX + "*";

    private final Map<String, String> names;
    private final String otherData;

    public DetailNames(Map<String, String> names) {
        for (String key : names.keySet()) {
            if (!key.startsWith(OneSignalEvent.DATA_PREFIX) && !OneSignalEvent.MESSAGE_URLS.contains(key)) {
                throw new IllegalArgumentException("the property table lists '" + key + "'; it can carry event.data.* and "
                        + String.join(", ", OneSignalEvent.MESSAGE_URLS));
            }
        }
        this.names = Map.copyOf(names);
        this.otherData = names.get(WILDCARD);
    }

    public static DetailNames load(Path file) throws IOException {
        return new DetailNames(EventNames.load(file));
    }

    /** The property name of a detail, or null when this destination leaves it out. */
    public String nameOf(String detail) {
        String name = names.get(detail);
        if (name != null || otherData == null || !detail.startsWith(OneSignalEvent.DATA_PREFIX) || detail.equals(WILDCARD)) {
            return name;
        }
        return otherData.replace("*", detail.substring(OneSignalEvent.DATA_PREFIX.length()));
    }

    /** Writes the event's details as fields of the properties object being written. */
    public void write(OneSignalEvent event, JsonGenerator properties) throws IOException {
        for (Map.Entry<String, String> detail : event.details().entrySet()) {
            String name = nameOf(detail.getKey());
            if (name != null) {
                Json.writeField(properties, name, detail.getValue());
            }
        }
    }
}
