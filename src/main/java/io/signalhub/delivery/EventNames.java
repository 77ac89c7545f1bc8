package io.signalhub.delivery;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;

import io.signalhub.eventstreams.EventKinds;

/**
 * A destination's name table (Event Streams kind → vendor event name), kept as data in
 * {@code config/event-names/<destination>.properties}, narrowed to the kinds enabled by
 * {@code hub.<destination>.events}.
 */
public final class EventNames {

    private final Map<String, String> names;

    public EventNames(Map<String, String> names) {
        this.names = Map.copyOf(names);
    }

    /**
     * @param table   every kind the destination can name
     * @param enabled the kinds to send, as listed by the setting; empty or "all" means the whole table
     */
    public static EventNames of(Map<String, String> table, String enabled) {
        for (String kind : table.keySet()) {
            if (EventKinds.normalize(kind).filter(kind::equals).isEmpty()) {
                throw new IllegalArgumentException("the name table lists '" + kind + "', which is not an Event Streams message kind");
            }
        }
        if (enabled == null || enabled.isBlank() || enabled.trim().equalsIgnoreCase("all")) {
            return new EventNames(table);
        }
        Map<String, String> chosen = new LinkedHashMap<>();
        for (String kind : Arrays.stream(enabled.split(",")).map(String::trim).filter(k -> !k.isEmpty()).toList()) {
            String current = EventKinds.normalize(kind).orElseThrow(
                    () -> new IllegalArgumentException("'" + kind + "' is not an Event Streams message kind"));
            String name = table.get(current);
            if (name == null) {
                throw new IllegalArgumentException("'" + kind + "' is enabled but has no name in the table");
            }
            chosen.put(current, name);
        }
        return new EventNames(chosen);
    }

    public static Map<String, String> load(Path file) throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        return properties.stringPropertyNames().stream()
                .collect(Collectors.toMap(k -> k, k -> properties.getProperty(k).trim()));
    }

    public boolean isEnabled(String kind) {
        return names.containsKey(kind);
    }

    public String nameOf(String kind) {
        String name = names.get(kind);
        if (name == null) {
            throw new IllegalArgumentException(kind + " is not enabled for this destination");
        }
        return name;
    }

    public Set<String> kinds() {
        return names.keySet();
    }

}
