package io.signalhub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The YAML files of config/ that list things under one key (cohorts.yaml, triggers.yaml). */
public final class ConfigFiles {

    private ConfigFiles() {
    }

    /**
     * The maps listed under {@code key} (or as the whole file); none when the file or the key is missing.
     *
     * @throws IllegalArgumentException naming the file when it is not a list of maps
     */
    public static List<Map<?, ?>> entries(Path file, String key, String what) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        Object root = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
        Object list = root instanceof Map<?, ?> map ? map.get(key) : root;
        if (list == null) {
            return List.of();
        }
        if (!(list instanceof List<?> items)) {
            throw new IllegalArgumentException(file + ": expected a list of " + what + "s under '" + key + ":'");
        }
        List<Map<?, ?>> entries = new ArrayList<>();
        for (Object item : items) {
            if (!(item instanceof Map<?, ?> fields)) {
                throw new IllegalArgumentException(file + ": each " + what + " is a map, not '" + item + "'");
            }
            entries.add(fields);
        }
        return entries;
    }

    /** A scalar's text, trimmed; "" when absent. */
    public static String text(Object value) {
        return value == null ? "" : value.toString().trim();
    }
}
