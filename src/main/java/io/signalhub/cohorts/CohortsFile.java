package io.signalhub.cohorts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * {@code config/cohorts.yaml}: the cohorts to sync, each {@code source} (mixpanel|amplitude), {@code id},
 * {@code mode} (dynamic|once, default dynamic), and optionally {@code app} (a name from
 * {@code hub.onesignal.apps}) and {@code tag}.
 */
public final class CohortsFile {

    private CohortsFile() {
    }

    public static List<Cohort> load(Path file, Set<String> apps) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        Object root = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
        Object list = root instanceof Map<?, ?> map ? map.get("cohorts") : root;
        if (list == null) {
            return List.of();
        }
        if (!(list instanceof List<?> entries)) {
            throw new IllegalArgumentException(file + ": expected a list of cohorts under 'cohorts:'");
        }
        List<Cohort> cohorts = new ArrayList<>();
        for (Object entry : entries) {
            if (!(entry instanceof Map<?, ?> fields)) {
                throw new IllegalArgumentException(file + ": each cohort is a map with source and id");
            }
            String source = text(fields.get("source"));
            String id = text(fields.get("id"));
            String mode = text(fields.get("mode")).isEmpty() ? "dynamic" : text(fields.get("mode"));
            String app = text(fields.get("app")).isEmpty() ? "default" : text(fields.get("app"));
            String tag = text(fields.get("tag"));
            if (!Set.of(Cohort.MIXPANEL, Cohort.AMPLITUDE).contains(source) || id.isEmpty()) {
                throw new IllegalArgumentException(file + ": a cohort needs source mixpanel or amplitude and an id: " + fields);
            }
            if (!Set.of("dynamic", "once").contains(mode)) {
                throw new IllegalArgumentException(file + ": mode is dynamic or once, not '" + mode + "'");
            }
            if (!apps.contains(app)) {
                throw new IllegalArgumentException(file + ": the cohort " + source + " " + id + " is for the OneSignal app '"
                        + app + "', which is not configured");
            }
            cohorts.add(new Cohort(source, id, mode.equals("dynamic"), app, tag.isEmpty() ? Cohort.defaultTag(source, id) : tag));
        }
        return cohorts;
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString().trim();
    }
}
