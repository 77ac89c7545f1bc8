package io.signalhub.cohorts;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.signalhub.ConfigFiles;

import static io.signalhub.ConfigFiles.text;

/**
 * {@code config/cohorts.yaml}: the cohorts to sync, each {@code source} (mixpanel|amplitude), {@code id},
 * {@code mode} (dynamic|once, default dynamic), and optionally {@code app} (a name from
 * {@code hub.onesignal.apps}) and {@code tag}.
 */
public final class CohortsFile {

    private CohortsFile() {
    }

    public static List<Cohort> load(Path file, Set<String> apps) throws IOException {
        List<Cohort> cohorts = new ArrayList<>();
        for (Map<?, ?> fields : ConfigFiles.entries(file, "cohorts", "cohort")) {
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
}
