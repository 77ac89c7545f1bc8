package io.signalhub.datain;

import java.util.LinkedHashMap;
import java.util.Map;

/** Ordered tag maps for assertions; a null value (a tag deletion) is allowed, unlike {@code Map.of}. */
public final class TagMaps {

    private TagMaps() {
    }

    public static Map<String, String> of(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
