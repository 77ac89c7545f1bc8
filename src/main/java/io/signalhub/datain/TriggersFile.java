package io.signalhub.datain;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalhub.ConfigFiles;
import io.signalhub.Json;

import static io.signalhub.ConfigFiles.text;

/**
 * {@code config/triggers.yaml}: the real-time notifications of OneSignal's legacy Segment guide. Each trigger
 * has a {@code name}, {@code when} ({@code {audience: <key>, entered: true|false}} or {@code {event: "<track
 * event>"}}), optionally {@code app} (default) and {@code channel} (push), and {@code send}: {@code
 * template_id}, or {@code contents} (with English, as OneSignal requires) and optionally {@code headings},
 * plus any other content field of Create message. Every problem is named at start-up.
 */
public final class TriggersFile {

    /** Fields the hub sets itself: who gets the notification, and its idempotency. */
    private static final Set<String> SET_BY_THE_HUB = Set.of("app_id", "include_aliases", "target_channel", "idempotency_key",
            "external_id", "included_segments", "excluded_segments", "include_subscription_ids", "include_player_ids",
            "include_external_user_ids", "filters");
    private static final Set<String> CHANNELS = Set.of("push", "email", "sms");

    private TriggersFile() {
    }

    public static List<Trigger> load(Path file, Set<String> apps) throws IOException {
        List<Trigger> triggers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Map<?, ?> fields : ConfigFiles.entries(file, "triggers", "trigger")) {
            String name = text(fields.get("name"));
            if (name.isEmpty() || !names.add(name)) {
                throw new IllegalArgumentException(file + ": each trigger needs a name of its own: " + (name.isEmpty() ? fields : name));
            }
            String where = file + ": trigger '" + name + "': ";
            if (!(fields.get("when") instanceof Map<?, ?> when) || when.containsKey("audience") == when.containsKey("event")) {
                throw new IllegalArgumentException(where + "'when' needs either audience (with entered: true or false) or event");
            }
            String audience = when.containsKey("audience") ? text(when.get("audience")) : null;
            String event = when.containsKey("event") ? text(when.get("event")) : null;
            if (audience != null && (audience.isEmpty() || !(when.get("entered") instanceof Boolean))) {
                throw new IllegalArgumentException(where + "an audience trigger needs the audience key and entered: true or false");
            }
            if (event != null && event.isEmpty()) {
                throw new IllegalArgumentException(where + "the event name is empty");
            }
            String app = fields.containsKey("app") ? text(fields.get("app")) : "default";
            if (!apps.contains(app)) {
                throw new IllegalArgumentException(where + "the OneSignal app '" + app + "' is not configured; apps: " + apps);
            }
            String channel = fields.containsKey("channel") ? text(fields.get("channel")) : "push";
            if (!CHANNELS.contains(channel)) {
                throw new IllegalArgumentException(where + "channel is push, email or sms, not '" + channel + "'");
            }
            if (!(fields.get("send") instanceof Map<?, ?> send)) {
                throw new IllegalArgumentException(where + "'send' needs template_id, or contents with English");
            }
            ObjectNode content = Json.MAPPER.valueToTree(send);
            for (String field : SET_BY_THE_HUB) {
                if (content.has(field)) {
                    throw new IllegalArgumentException(where + "'send' may not set " + field + ": the hub targets the user who matched");
                }
            }
            if (!content.hasNonNull("template_id") && !content.path("contents").path("en").isTextual()) {
                throw new IllegalArgumentException(where + "'send' needs template_id, or contents with an 'en' text"
                        + " (OneSignal requires English content)");
            }
            triggers.add(new Trigger(name, audience, audience != null && (Boolean) when.get("entered"), event, app, channel, content));
        }
        return triggers;
    }
}
