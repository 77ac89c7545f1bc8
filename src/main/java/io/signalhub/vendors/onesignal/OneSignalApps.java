package io.signalhub.vendors.onesignal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The OneSignal apps of a deployment and which Segment write key feeds which app. The default app is
 * {@code hub.onesignal.app-id}; more are named in {@code hub.onesignal.apps}. A write key listed as
 * {@code key:name} feeds the app of that name, a bare key the default app; the webhook path
 * {@code /segment/webhook/<name>} feeds the app of that name.
 */
public final class OneSignalApps {

    public static final String DEFAULT = "default";

    /** One OneSignal app: its name in the hub's settings, its id and its API key. */
    public record App(String name, String appId, String apiKey) {
        @Override
        public String toString() {
            return name + " (" + appId + ")";
        }
    }

    private final Map<String, App> apps;
    private final Map<String, String> writeKeys;

    public OneSignalApps(Map<String, App> apps, Map<String, String> writeKeys) {
        this.apps = Map.copyOf(apps);
        this.writeKeys = Map.copyOf(writeKeys);
    }

    /**
     * Reads {@code hub.ingress.segment.write-keys}: comma-separated keys, each optionally {@code key:app}.
     *
     * @throws IllegalArgumentException when a key names an app that is not configured
     */
    public static Map<String, String> parseWriteKeys(String setting, Set<String> appNames) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String entry : setting.split(",")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int colon = trimmed.lastIndexOf(':');
            String key = colon < 0 ? trimmed : trimmed.substring(0, colon).trim();
            String app = colon < 0 ? DEFAULT : trimmed.substring(colon + 1).trim();
            if (!appNames.contains(app)) {
                throw new IllegalArgumentException("hub.ingress.segment.write-keys: a key is for the app '" + app
                        + "', which is not configured; apps: " + appNames);
            }
            keys.put(key, app);
        }
        return keys;
    }

    /** The app by its name, or null. */
    public App app(String name) {
        return apps.get(name == null ? DEFAULT : name);
    }

    /** The OneSignal app ids configured. */
    public Set<String> appIds() {
        Set<String> ids = new java.util.HashSet<>();
        apps.values().forEach(app -> ids.add(app.appId()));
        return ids;
    }

    public Set<String> names() {
        return apps.keySet();
    }

    public boolean has(String name) {
        return apps.containsKey(name);
    }

    /** The app name a write key feeds, or null when the key is not configured. */
    public String appForWriteKey(String writeKey) {
        return writeKey == null ? null : writeKeys.get(writeKey);
    }

    public boolean hasWriteKeys() {
        return !writeKeys.isEmpty();
    }
}
